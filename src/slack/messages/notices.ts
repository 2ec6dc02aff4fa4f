import type { StopExplanation } from '../../core/diagnosis.js';
import type { ReviewAppError } from '../../core/errors.js';
import type { ReviewApp } from '../../core/types.js';
import { isAre, plural } from '../../core/words.js';
import type { Refusal } from '../access.js';
import { ACTIONS } from '../ids.js';
import type { AccessSettings } from '../settings.js';
import { actions, type Block, button, context, type SlackMessage, section } from './blocks.js';
import {
  escapeMrkdwn,
  type Labelled,
  type LabelledApp,
  link,
  mentionUsers,
  minutesLeft,
  minutesUntil,
  mrRef,
  plain,
  requesterOf,
  slackTime,
  truncate,
} from './format.js';
import { crashLogsMessage } from './logs.js';
import { mrLabel, relaunchButtons } from './status.js';

const MAX_LISTED = 20;

const ref = (app: LabelledApp) => mrRef(app.meta.mr, app.label);

/**
 * `Stop shop!42`: a button's text is plain text (nothing to escape) of at most 75
 * characters, so a long project name gives way, never the MR.
 */
function buttonText(word: string, mr: number, label = ''): string {
  return `${word} ${truncate(label, 75 - `${word} !${mr}`.length)}!${mr}`;
}
const titled = (app: LabelledApp, max?: number) => mrLabel({ ...app.meta, label: app.label }, max);
const SECTION_BUDGET = 2800;

/**
 * An error as a Slack user reads it: the message, the advice for them, and, when
 * the fix is the operator's, that the operator was told (the raise site logged the
 * fix); the CLI's reader is the operator and gets the fix itself.
 */
export function errorText(error: ReviewAppError): string {
  const { person, operator } = error.hint;
  return [error.message, person, operator ? 'The operator has been told.' : undefined]
    .filter(Boolean)
    .join(' ');
}

export function errorMessage(message: string): SlackMessage {
  return { text: plain(message, 500), blocks: [section(`:warning: ${plain(message, 2900)}`)] };
}

export function alreadyRunningMessage(
  app: LabelledApp,
  permalink: string | undefined,
  now: number,
): SlackMessage {
  const where = permalink ? ` See ${link(permalink, 'its thread')}.` : '';
  const url = app.meta.url ? ` at ${link(app.meta.url, escapeMrkdwn(app.meta.url))}` : '';
  return {
    text: `${ref(app)} already has a review app running.`,
    blocks: [
      section(
        `${titled(app)} already has a review app running${url} (${minutesLeft(app.meta.softDeadline, now)}).${where}`,
      ),
      actions([button('Relaunch', ACTIONS.relaunch, app.meta)]),
    ],
  };
}

export function listMessage(
  apps: LabelledApp[],
  now: number,
  cost: (app: LabelledApp) => string | undefined,
  total?: string,
): SlackMessage {
  if (apps.length === 0)
    return {
      text: 'No review apps are running.',
      blocks: [section('No review apps are running.')],
    };
  const lines: string[] = [];
  let length = 0;
  for (const app of apps.slice(0, MAX_LISTED)) {
    const url = app.meta.url
      ? link(app.meta.url, escapeMrkdwn(app.meta.url))
      : app.task.lastStatus.toLowerCase();
    const spent = cost(app);
    const line = `• ${titled(app, 80)}: ${url}, by ${requesterOf(app.meta)}, ${minutesLeft(app.meta.softDeadline, now)}${spent ? `, ${spent} so far` : ''}`;
    // A section holds 3000 characters: stop listing before that.
    if (length + line.length > SECTION_BUDGET) break;
    lines.push(line);
    length += line.length + 1;
  }
  if (apps.length > lines.length) lines.push(`…and ${apps.length - lines.length} more`);
  return {
    text: `${plural(apps.length, 'review app')} ${isAre(apps.length)} running.`,
    blocks: [
      section(
        `*${plural(apps.length, 'review app')} ${isAre(apps.length)} running*\n${lines.join('\n')}`,
      ),
      ...(total ? [context(`Estimated cost of the running apps so far: ${total}`)] : []),
    ],
  };
}

/** At the limit: the running apps, with a Stop button for each of the asker's own. */
export function limitMessage(
  message: string,
  apps: LabelledApp[],
  asker: string,
  now: number,
): SlackMessage {
  const own = apps.filter((app) => app.meta.requester === asker).slice(0, 10);
  return {
    text: plain(message, 500),
    blocks: [
      section(`:no_entry: ${plain(message, 500)}`),
      ...listMessage(apps, now, () => undefined).blocks,
      ...(own.length > 0
        ? [
            actions(
              own.map((app) =>
                button(
                  buttonText('Stop', app.meta.mr, app.label),
                  ACTIONS.stop,
                  app.meta,
                  'danger',
                ),
              ),
            ),
          ]
        : []),
    ],
  };
}

export function warningMessage(app: LabelledApp, now: number): SlackMessage {
  const text = `${requesterOf(app.meta)} the review app for ${ref(app)} expires at ${slackTime(app.meta.softDeadline)} (${minutesLeft(app.meta.softDeadline, now)}).`;
  return {
    text: `The review app for ${ref(app)} expires in ${minutesUntil(app.meta.softDeadline, now)}.`,
    blocks: [
      section(`:alarm_clock: ${text}`),
      actions([
        button('Extend', ACTIONS.extend, app.meta, 'primary'),
        button('Stop', ACTIONS.stop, app.meta, 'danger'),
      ]),
    ],
  };
}

/** Told to the channel (broadcast from the thread) when an app ends without being asked to. */
export function endedNotice(
  app: LabelledApp,
  explanation: StopExplanation,
  /** The app's last log lines, shown when it crashed or failed to start. */
  logs?: string[],
): SlackMessage {
  const lead =
    explanation.kind === 'expired'
      ? `The review app for ${titled(app)} has expired.`
      : `The review app for ${titled(app)} has stopped: ${plain(explanation.summary, 1000)}`;
  const relaunch = relaunchButtons(app.meta, explanation);
  const logged = crashLogsMessage(app.meta, logs, relaunch);
  return {
    text:
      explanation.kind === 'expired'
        ? `The review app for ${ref(app)} has expired.`
        : `The review app for ${ref(app)} has stopped.`,
    blocks: [
      section(lead),
      ...(explanation.hint ? [context(plain(explanation.hint, 1000))] : []),
      ...(logged?.blocks ?? (relaunch.length > 0 ? [actions(relaunch)] : [])),
    ],
  };
}

/**
 * Told to the channel (broadcast from the thread) when a launch fails after its thread was
 * posted: the requester is mentioned, since edits notify nobody. With what a task that died
 * while starting printed last, when it can be read.
 */
export function launchFailedNotice(
  subject: {
    mr: number;
    title: string;
    requester: string;
    source: string;
    project?: string;
  } & Labelled,
  message: string,
  logs?: string[],
): SlackMessage {
  const retry = [button('Try again', ACTIONS.retry, subject)];
  const logged = crashLogsMessage(subject, logs, retry);
  return {
    text: `Could not launch ${mrRef(subject.mr, subject.label)}: ${plain(message, 500)}`,
    blocks: [
      section(
        `:x: ${requesterOf(subject)} the review app for ${mrLabel(subject)} could not be launched: ${mentionUsers(plain(message, 2500))}`,
      ),
      ...(logged?.blocks ?? [actions(retry)]),
    ],
  };
}

export function extendedMessage(
  app: LabelledApp,
  who: string,
  capped: boolean,
  now: number,
): SlackMessage {
  const until = `${slackTime(app.meta.softDeadline)} (${minutesLeft(app.meta.softDeadline, now)})`;
  return {
    text: `The review app for ${ref(app)} was extended until ${slackTime(app.meta.softDeadline)}.`,
    blocks: [
      section(
        `:hourglass: <@${who}> extended the review app for ${ref(app)} until ${until}.${
          capped ? ' That is its maximum lifetime: it cannot be extended further.' : ''
        }`,
      ),
    ],
  };
}

/** At most this many allowed channels are named; the rest are counted. */
const CHANNELS_NAMED = 10;

/**
 * Why someone may not act here, in words that point at what would help: the
 * person (only the operator can add them), or the channel (the allowed ones are
 * named, as mentions Slack shows by name).
 */
export function refusedMessage(refusal: Refusal, access: AccessSettings): SlackMessage {
  if (refusal === 'user') {
    return errorMessage(
      'You are not allowed to launch or change review apps. Ask the team that runs the bot to add you.',
    );
  }
  const named = access.allowedChannels.slice(0, CHANNELS_NAMED).map((id) => `<#${id}>`);
  const more = access.allowedChannels.length - named.length;
  const where = `${named.join(', ')}${more > 0 ? ` and ${plural(more, 'other channel')}` : ''}`;
  const text = `Review apps cannot be launched or changed in this channel. Use ${where}.`;
  return { text, blocks: [section(`:warning: ${text}`)] };
}

/** The five-minute warning once it no longer applies: its Extend and Stop buttons are gone. */
export function retiredWarning(why: string): SlackMessage {
  const text = `This warning no longer applies: ${why}.`;
  return { text, blocks: [context(`:alarm_clock: ${text}`)] };
}

/** An offer to relaunch with a new commit once it no longer applies: its button is gone. */
export function retiredOffer(why: string): SlackMessage {
  const text = `This offer to relaunch no longer applies: ${why}.`;
  return { text, blocks: [context(`:package: ${text}`)] };
}

/** The "Stop anyway?" question once answered: what became of the stop, and no button. */
export function stopAnsweredMessage(
  mr: number,
  outcome: { stopped: ReviewApp } | { refused: SlackMessage } | { confirm: SlackMessage },
): SlackMessage {
  if ('refused' in outcome) return outcome.refused;
  const text = `You stopped the review app for !${mr}.`;
  return { text, blocks: [section(`:black_square_for_stop: ${text}`)] };
}

/** Asked privately before stopping an app someone else launched. */
export function stopAnywayMessage(app: LabelledApp): SlackMessage {
  return {
    text: `${ref(app)} was launched by someone else. Stop it anyway?`,
    blocks: [
      section(
        `${titled(app)} was launched by ${requesterOf(app.meta)}, who may still be using it. Stop it anyway?`,
      ),
      actions([button('Stop anyway', ACTIONS.stopAnyway, app.meta, 'danger')]),
    ],
  };
}

/** A quiet reply that the app has ended, for the thread's followers, where no notice tells it. */
export function endedReply(app: LabelledApp): SlackMessage {
  const text = `The review app for ${ref(app)} has ended.`;
  return { text, blocks: [section(`:black_square_for_stop: ${text}`)] };
}

/** The verbs a choice of project can be for, as its buttons say them. */
const CHOICE_WORDS: Record<string, string> = {
  launch: 'Launch',
  stop: 'Stop',
  extend: 'Extend',
  logs: 'Logs of',
};

/** Buttons in one actions block, at most (Block Kit's limit). */
const ACTIONS_PER_BLOCK = 25;

/**
 * A bare `42` in a channel of several projects: which one is meant, one button each,
 * that does what was asked (`action`) for that project's !42.
 */
export function chooseProjectMessage(
  mr: number,
  choices: { path: string; label: string }[],
  action: string,
  verb: string,
): SlackMessage {
  const word = CHOICE_WORDS[verb] ?? 'Launch';
  const text = `Which project's !${mr}? This channel has several.`;
  const buttons = choices.map((choice) =>
    button(
      buttonText(word, mr, choice.label),
      action,
      { mr, project: choice.path },
      verb === 'stop' ? 'danger' : undefined,
    ),
  );
  const rows: Block[] = [];
  for (let at = 0; at < buttons.length; at += ACTIONS_PER_BLOCK)
    rows.push(actions(buttons.slice(at, at + ACTIONS_PER_BLOCK)));
  return {
    text,
    blocks: [
      section(
        `:question: ${text} Pick one, or say it next time: \`/review-app ${plain(choices[0]?.label ?? 'shop', 100)}!${mr}\`.`,
      ),
      ...rows,
    ],
  };
}
