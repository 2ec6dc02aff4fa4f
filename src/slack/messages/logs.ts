import { plural } from '../../core/words.js';
import { ACTIONS, type ButtonTarget } from '../ids.js';
import {
  actions,
  type Block,
  type Button,
  button,
  context,
  type SlackMessage,
  section,
} from './blocks.js';
import { escapeMrkdwn, type Labelled, type LabelledApp, mrRef } from './format.js';

/** A section holds 3000 characters; the fence and a margin take the rest. */
const CODE_BUDGET = 2900;
/**
 * Log sections in one message: Slack allows 50 blocks, and the message has a
 * few of its own; ten sections (about 29,000 characters) keep a thread readable.
 */
const LOG_BLOCKS_MAX = 10;

/** A character as it counts in mrkdwn once escaped. */
const escapedChar = (char: string) => (char === '&' ? 5 : char === '<' || char === '>' ? 4 : 1);

/**
 * One log line as pieces that each fit a section once escaped: a line longer than
 * a section (a stack trace logged as one event, a JSON record) wraps into the next.
 */
function pieces(line: string): string[] {
  const out: string[] = [];
  let piece = '';
  let length = 0;
  for (const char of Array.from(line)) {
    const size = escapedChar(char);
    if (length + size > CODE_BUDGET) {
      out.push(piece);
      piece = '';
      length = 0;
    }
    piece += char;
    length += size;
  }
  out.push(piece);
  return out;
}

/** Sections filled from the newest line back: `sections[0]` is the oldest, with `room` left. */
interface Layout {
  sections: string[][];
  room: number;
}

/** Places a line's pieces before what is laid out; false (and nothing placed) when it does not fit. */
function place(layout: Layout, parts: string[], maxSections: number): boolean {
  const trial: Layout = { sections: layout.sections.map((s) => [...s]), room: layout.room };
  for (const part of [...parts].reverse()) {
    if (trial.sections.length === 0 || part.length + 1 > trial.room) {
      if (trial.sections.length === maxSections) return false;
      trial.sections.unshift([]);
      trial.room = CODE_BUDGET + 1;
    }
    trial.sections[0]?.unshift(part);
    trial.room -= part.length + 1;
  }
  layout.sections = trial.sections;
  layout.room = trial.room;
  return true;
}

/**
 * The newest lines, whole, as code blocks of at most a section each. Backtick
 * fences in the lines would end a block early, so they are softened; mrkdwn
 * control characters are escaped as everywhere else. What does not fit the
 * message is left out from the oldest side, and a note says how much.
 */
export function logBlocks(lines: string[]): Block[] {
  const layout: Layout = { sections: [], room: 0 };
  let kept = 0;
  for (const raw of [...lines].reverse()) {
    const parts = pieces(raw.replace(/```/g, "'''")).map(escapeMrkdwn);
    // One block stays free for the note.
    if (!place(layout, parts, LOG_BLOCKS_MAX - 1)) break;
    kept++;
  }
  const blocks = layout.sections.map((code) => codeSection(code.join('\n')));
  const left = lines.length - kept;
  if (left === 0 || kept === 0) return blocks;
  return [context(`${plural(left, 'older line')} did not fit here.`), ...blocks];
}

const codeSection = (code: string) => section(`\`\`\`${code}\`\`\``);

/** The Logs button under an app's end. */
function logsButton(target: ButtonTarget) {
  return button('Logs', ACTIONS.logs, target);
}

/** The answer to the Logs button, `/review-app logs 42`. */
export function logsMessage(app: LabelledApp, lines: string[] | undefined): SlackMessage {
  const mr = mrRef(app.meta.mr, app.label);
  if (lines === undefined) {
    return {
      text: `The review app for ${mr} does not log to CloudWatch.`,
      blocks: [
        section(
          `The review app for ${mr} does not log where I can read it: its container needs the awslogs log driver (with awslogs-group and awslogs-stream-prefix) in the base task definition.`,
        ),
      ],
    };
  }
  const logged = logBlocks(lines);
  if (logged.length === 0) {
    return {
      text: `The review app for ${mr} has logged nothing yet.`,
      blocks: [section(`The review app for ${mr} has logged nothing yet.`)],
    };
  }
  return {
    text: `The last lines of the review app for ${mr}.`,
    blocks: [
      section(
        `The last lines of the review app for ${mr} (task ${app.task.lastStatus.toLowerCase()}):`,
      ),
      ...logged,
      context('Anything that looked like a password or token was hidden.'),
      actions([logsButton(app.meta)]),
    ],
  };
}

/**
 * What a crashed app printed last, as every end shows it: the newest lines
 * and a Logs button after `buttons`. Undefined when it printed nothing, so
 * that no Logs button leads to an empty answer.
 */
export function crashLogsMessage(
  target: ButtonTarget & Labelled,
  lines: string[] | undefined,
  buttons: Button[] = [],
): SlackMessage | undefined {
  const logged = lines ? logBlocks(lines) : [];
  if (logged.length === 0) return undefined;
  return {
    text: `The last lines the review app for ${mrRef(target.mr, target.label)} logged.`,
    blocks: [
      context('The last lines it logged:'),
      ...logged,
      actions([...buttons, logsButton(target)]),
    ],
  };
}
