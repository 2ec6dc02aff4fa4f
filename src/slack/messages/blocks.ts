import type { types } from '@slack/bolt';
import { buttonActionId, buttonValue } from '../ids.js';

/** Block Kit, as the bot builds it: every message has fallback text and blocks. */
export type Block = types.KnownBlock;
export type Button = types.Button;

export interface SlackMessage {
  text: string;
  blocks: Block[];
}

export function section(text: string): Block {
  return { type: 'section', text: { type: 'mrkdwn', text } };
}

export function context(text: string): Block {
  return { type: 'context', elements: [{ type: 'mrkdwn', text }] };
}

export function actions(elements: Button[]): Block {
  return { type: 'actions', elements };
}

/** A button acting on one merge request; its value is only ever read back as a number. */
export function button(
  text: string,
  actionId: string,
  mr: number,
  style?: 'primary' | 'danger',
): Button {
  return {
    type: 'button',
    text: { type: 'plain_text', text, emoji: true },
    action_id: buttonActionId(actionId, mr),
    value: buttonValue(mr),
    ...(style ? { style } : {}),
  };
}
