import type { types } from '@slack/bolt';
import { type ButtonTarget, buttonActionId, buttonValue } from '../ids.js';

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

/**
 * A button acting on one merge request (of a project: an app's meta is a target); its
 * value is only ever read back as a number and a project the bot serves.
 */
export function button(
  text: string,
  actionId: string,
  target: ButtonTarget | number,
  style?: 'primary' | 'danger',
): Button {
  return {
    type: 'button',
    text: { type: 'plain_text', text, emoji: true },
    action_id: buttonActionId(actionId, target),
    value: buttonValue(target),
    ...(style ? { style } : {}),
  };
}
