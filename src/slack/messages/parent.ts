import type { LaunchSource } from '../../core/types.js';
import { type SlackMessage, section } from './blocks.js';
import { code, type Labelled, link, mrRef, plain, requesterOf, slackTime } from './format.js';
import { mrLabel } from './status.js';

/** What the channel message names: the MR, its branch, and who launched the app. */
export interface ParentSubject extends Labelled {
  mr: number;
  title: string;
  branch: string;
  webUrl: string;
  requester: string;
  source: LaunchSource;
}

/** What the channel message says of the thread's app, now. */
export type ParentState =
  | { kind: 'launching' }
  | { kind: 'running'; until: number }
  | { kind: 'ended'; at: number }
  | { kind: 'failed' };

const TITLE_MAX = 150;
const BRANCH_MAX = 100;

/** A time in the fallback text, which notifications show as it is: no date markup. */
function utc(epochMs: number): string {
  return `${new Date(epochMs).toISOString().slice(11, 16)} UTC`;
}

/**
 * The message in the channel that the thread hangs from. It is what the
 * channel sees of the app, so it is edited whenever that changes (running,
 * extended, ended, failed), and only then: the countdown lives in the thread.
 */
export function parentMessage(subject: ParentSubject, state: ParentState): SlackMessage {
  const who = `${requesterOf(subject)}${subject.source === 'cli' ? ' (CI)' : ''}`;
  const mr = `${link(subject.webUrl, mrLabel(subject, TITLE_MAX))} (${code(subject.branch, BRANCH_MAX)})`;
  const title = `Review app for ${mrRef(subject.mr, subject.label)}: ${plain(subject.title, TITLE_MAX)}`;
  switch (state.kind) {
    case 'launching':
      return { text: title, blocks: [section(`${who} is launching a review app for ${mr}`)] };
    case 'running':
      return {
        text: `${title}, running until ${utc(state.until)}`,
        blocks: [
          section(
            `:large_green_circle: Review app for ${mr} by ${who}: *running* until ${slackTime(state.until)}`,
          ),
        ],
      };
    case 'ended':
      return {
        text: `${title}, ended at ${utc(state.at)}`,
        blocks: [
          section(
            `:black_square_for_stop: Review app for ${mr} by ${who}: *ended* at ${slackTime(state.at)}`,
          ),
        ],
      };
    case 'failed':
      return {
        text: `${title}, could not be launched`,
        blocks: [section(`:x: Review app for ${mr} by ${who}: *could not be launched*`)],
      };
  }
}
