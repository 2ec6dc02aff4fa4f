import type { ReviewApp } from '../../core/types.js';
import { ACTIONS } from '../ids.js';
import {
  actions,
  type Block,
  type Button,
  button,
  context,
  type SlackMessage,
  section,
} from './blocks.js';
import { escapeMrkdwn, truncate } from './format.js';

/** A section holds 3000 characters; the fence and a margin take the rest. */
const CODE_BUDGET = 2900;
const LINE_MAX = 300;

/**
 * The newest lines that fit one section, as a code block. Backtick fences in
 * the lines would end the block early, so they are softened; mrkdwn control
 * characters are escaped as everywhere else.
 */
export function logBlock(lines: string[]): Block | undefined {
  const kept: string[] = [];
  let length = 0;
  for (const raw of [...lines].reverse()) {
    const line = escapeMrkdwn(truncate(raw.replace(/```/g, "'''"), LINE_MAX));
    if (length + line.length + 1 > CODE_BUDGET) break;
    kept.unshift(line);
    length += line.length + 1;
  }
  if (kept.length === 0) return undefined;
  return section(`\`\`\`${kept.join('\n')}\`\`\``);
}

/** The Logs button under an app's end. */
function logsButton(mr: number) {
  return button('Logs', ACTIONS.logs, mr);
}

/** The answer to the Logs button, `/review-app logs 42`. */
export function logsMessage(app: ReviewApp, lines: string[] | undefined): SlackMessage {
  const mr = app.meta.mr;
  if (lines === undefined) {
    return {
      text: `The review app for !${mr} does not log to CloudWatch.`,
      blocks: [
        section(
          `The review app for !${mr} does not log where I can read it: its container needs the awslogs log driver (with awslogs-group and awslogs-stream-prefix) in the base task definition.`,
        ),
      ],
    };
  }
  const block = logBlock(lines);
  if (!block) {
    return {
      text: `The review app for !${mr} has logged nothing yet.`,
      blocks: [section(`The review app for !${mr} has logged nothing yet.`)],
    };
  }
  return {
    text: `The last lines of the review app for !${mr}.`,
    blocks: [
      section(
        `The last lines of the review app for !${mr} (task ${app.task.lastStatus.toLowerCase()}):`,
      ),
      block,
      context('Anything that looked like a password or token was hidden.'),
      actions([logsButton(mr)]),
    ],
  };
}

/**
 * What a crashed app printed last, as every end shows it: the newest lines
 * and a Logs button after `buttons`. Undefined when it printed nothing, so
 * that no Logs button leads to an empty answer.
 */
export function crashLogsMessage(
  mr: number,
  lines: string[] | undefined,
  buttons: Button[] = [],
): SlackMessage | undefined {
  const block = lines ? logBlock(lines) : undefined;
  if (!block) return undefined;
  return {
    text: `The last lines the review app for !${mr} logged.`,
    blocks: [context('The last lines it logged:'), block, actions([...buttons, logsButton(mr)])],
  };
}
