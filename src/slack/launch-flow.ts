import type { webApi } from '@slack/bolt';
import type { ReviewAppEngine } from '../core/engine.js';
import { isReviewAppError } from '../core/errors.js';
import type { ReviewApp } from '../core/types.js';
import type { SlackMessage } from './messages/blocks.js';
import {
  alreadyRunningMessage,
  errorMessage,
  errorText,
  launchFailedNotice,
  limitMessage,
} from './messages/notices.js';
import { type ParentState, parentMessage } from './messages/parent.js';
import { type Stage, statusMessage } from './messages/status.js';
import type { PrivateAnswer } from './private-answer.js';
import { labelOf, named } from './routing.js';
import { notifierFor, type SlackProject, type SlackServices } from './services.js';
import { isDirectMessage, isNotInChannel, slackErrorCode } from './web-api-error.js';

export interface LaunchInSlack {
  /** The project the MR belongs to (see routing.ts). */
  project: SlackProject;
  client: webApi.WebClient;
  channel: string;
  user: string;
  mr: number;
  replace: boolean;
  /** Relaunches report in the thread they came from. */
  thread?: string;
  /** A private answer to the person who asked. */
  answer: PrivateAnswer;
  /**
   * A precheck already under way for this launch (a modal's submission makes
   * one to answer within Slack's 3 seconds): awaited, not made again.
   */
  checked?: Promise<LaunchPrecheck>;
}

export type LaunchPrecheck = Awaited<ReturnType<ReviewAppEngine['precheck']>>;

/**
 * A launch as Slack users see it: a parent message in the channel, a status
 * reply in its thread kept up to date from lookup to running, and every
 * failure explained there. Refusals that start nothing stay private.
 */
export async function launchInSlack(
  services: SlackServices,
  request: LaunchInSlack,
): Promise<ReviewApp | undefined> {
  const { clock, logger } = services;
  const { client, channel, user } = request;
  const { engine } = request.project;
  const label = labelOf(services, request.project);

  let checked: LaunchPrecheck;
  try {
    checked = await (request.checked ??
      engine.precheck({ mr: request.mr, requester: user, replace: request.replace }));
  } catch (error) {
    await request.answer(await refusal(services, client, error, user));
    return undefined;
  }
  const { mr, prechecked } = checked;

  // The thread and its status are posted while the image and the task definition are
  // looked up: the task is tagged with them, so the launch waits for them only at RunTask.
  // The path its tags carry: the buttons name it, so that a click reaches this project.
  const project = await engine.projectPath().catch(() => request.project.path);
  const about = { ...mr, project, label };
  const placing = placeInChannel(client, request, about, clock.now());
  // A failure is answered once, below; the launch stops at RunTask without starting anything.
  placing.catch(() => {});

  // Updates go out one after another, so a slow one never overwrites a later state.
  let updates = Promise.resolve();
  const editing = (ts: (place: Place) => string, message: () => SlackMessage): Promise<void> => {
    updates = updates.then(async () => {
      const place = await placing.catch(() => undefined);
      if (!place) return;
      try {
        await client.chat.update({ channel, ts: ts(place), ...message() });
      } catch (error) {
        logger.warn('could not update a launch message', { channel, ts: ts(place), error });
      }
    });
    return updates;
  };
  const show = (stage: Stage) =>
    editing(
      (place) => place.statusTs,
      () => statusMessage(about, stage, clock.now()),
    );
  const subject = {
    mr: mr.iid,
    title: mr.title,
    branch: mr.sourceBranch,
    webUrl: mr.webUrl,
    label,
  };
  const showParent = (state: ParentState) =>
    editing(
      (place) => place.thread,
      () => parentMessage({ ...subject, requester: user, source: 'slack' }, state),
    );

  let launched: ReviewApp | undefined;
  let replaced = false;
  try {
    let app = await engine.launch({
      mr: mr.iid,
      requester: user,
      source: 'slack',
      replace: request.replace,
      slack: placing,
      // The launch re-checks under its lock, from what the precheck just read.
      prechecked,
      onProgress: (progress) => {
        if (progress.stage === 'image')
          void show({ kind: 'starting', status: 'REGISTERING', image: progress.image });
        if (progress.stage === 'replaced') replaced = true;
        // In a thread that had an app: the channel message now speaks of this one.
        if (progress.stage === 'started' && request.thread) void showParent({ kind: 'launching' });
      },
    });
    launched = app;
    let lastShown = '';
    app = await engine.waitUntilRunning(app, {
      onStatus: (status) => {
        if (status !== lastShown && status !== 'RUNNING') {
          lastShown = status;
          void show({ kind: 'starting', status, image: app.meta.image });
        }
      },
    });
    await show({ kind: 'running', app, cost: engine.costOf(app) });
    await showParent({ kind: 'running', until: app.meta.softDeadline });
    return app;
  } catch (error) {
    const place = await placing.catch(async (postError) => {
      await request.answer(cannotPost(logger, channel, postError));
      return undefined;
    });
    // The launch's messages could not be posted: nothing started, and that was answered.
    if (!place) return undefined;
    // Stopped or relaunched by someone while starting: that is an end, not a failure.
    const explanation = isReviewAppError(error, 'TASK_STOPPED')
      ? error.details.explanation
      : undefined;
    if (
      explanation &&
      (explanation.kind === 'stopped-by-user' || explanation.kind === 'relaunched')
    ) {
      await show({ kind: 'ended', explanation });
      return undefined;
    }
    const message = isReviewAppError(error)
      ? errorText(error)
      : 'Something went wrong on our side; the error was logged.';
    if (!isReviewAppError(error)) logger.error('launch failed', { mr: mr.iid, error });
    // Another launch got in first, under the lock: a refusal, said where it was asked.
    const overtaken =
      isReviewAppError(error, 'ALREADY_RUNNING') || isReviewAppError(error, 'LIMIT_REACHED');
    // A relaunch that failed before it stopped the app it was to replace left that one running.
    const stillRunning =
      request.thread !== undefined && (overtaken || (checked.existing !== undefined && !replaced));
    if (!stillRunning) await showParent({ kind: 'failed' });
    if (overtaken) {
      await show({ kind: 'failed', message });
      return undefined;
    }
    await show({ kind: 'failed', message, toldBelow: true });
    await announceFailure(services, client, {
      place,
      mr: about,
      user,
      message,
      launched,
      error,
    });
    return undefined;
  }
}

type Place = { channel: string; thread: string; statusTs: string };

/** The MR a launch is about, with its project's path (for buttons) and label (for messages). */
type About = LaunchPrecheck['mr'] & { project: string; label: string | undefined };

/**
 * A failed launch told to the channel, once, as a reply broadcast from its thread, with
 * Try again; a task that died while starting shows what it printed last.
 */
async function announceFailure(
  services: SlackServices,
  client: webApi.WebClient,
  failure: {
    place: Place;
    mr: About;
    user: string;
    message: string;
    launched: ReviewApp | undefined;
    error: unknown;
  },
): Promise<void> {
  const { place, mr, user, message, launched, error } = failure;
  let logs: string[] | undefined;
  if (launched && isReviewAppError(error, 'TASK_STOPPED')) {
    const { task, explanation } = error.details;
    logs = await notifierFor(services, client).logsAfter({ ...launched, task }, explanation);
  }
  // It ran but never answered the health checks: what it printed says why.
  if (launched && isReviewAppError(error, 'APP_UNHEALTHY')) {
    logs = await notifierFor(services, client).logsAfter(
      { ...launched, task: error.details.task },
      { kind: 'failed-to-start', summary: message, unexpected: true },
    );
  }
  const subject = {
    mr: mr.iid,
    title: mr.title,
    requester: user,
    source: 'slack',
    project: mr.project,
    label: mr.label,
  };
  try {
    await client.chat.postMessage({
      channel: place.channel,
      thread_ts: place.thread,
      reply_broadcast: true,
      ...launchFailedNotice(subject, message, logs),
    });
  } catch (postError) {
    services.logger.warn('could not tell the channel a launch failed', {
      channel: place.channel,
      mr: mr.iid,
      error: postError,
    });
  }
}

/** The launch's parent message (unless it relaunches in a thread) and its status reply. */
async function placeInChannel(
  client: webApi.WebClient,
  request: LaunchInSlack,
  mr: About,
  now: number,
): Promise<Place> {
  const { channel, user } = request;
  let thread = request.thread;
  if (!thread) {
    const parent = await client.chat.postMessage({
      channel,
      ...parentMessage(
        {
          mr: mr.iid,
          title: mr.title,
          branch: mr.sourceBranch,
          webUrl: mr.webUrl,
          requester: user,
          source: 'slack',
          label: mr.label,
        },
        { kind: 'launching' },
      ),
      unfurl_links: false,
    });
    thread = parent.ts as string;
  }
  const status = await client.chat.postMessage({
    channel,
    thread_ts: thread,
    ...statusMessage(mr, { kind: 'looking-up' }, now),
  });
  return { channel, thread, statusTs: status.ts as string };
}

/** The private answer when the launch's messages could not be posted, so nothing started. */
function cannotPost(logger: SlackServices['logger'], channel: string, error: unknown) {
  logger.warn('could not post in the channel', { channel, error });
  if (!isNotInChannel(slackErrorCode(error))) {
    return errorMessage(
      'Slack did not take my message just now, so nothing was launched. Try again in a minute.',
    );
  }
  // A direct message between other people is closed to the bot, and no one can invite it there.
  return errorMessage(
    isDirectMessage(channel)
      ? 'I cannot post in a direct message between other people, so nothing was launched. Launch it from a channel, or from my Messages tab.'
      : 'I cannot post in this channel. Invite me to it (/invite @review-app-bot), then try again.',
  );
}

/** The private answer when a launch is refused before anything started. */
async function refusal(
  services: SlackServices,
  client: webApi.WebClient,
  error: unknown,
  user: string,
): Promise<SlackMessage> {
  const now = services.clock.now();
  // With several projects, each app is named by its own (the limit counts them all).
  const name = (app: ReviewApp) => named(services.fleet, app);
  if (isReviewAppError(error, 'ALREADY_RUNNING')) {
    const { app } = error.details;
    return alreadyRunningMessage(name(app), await permalink(client, app), now);
  }
  if (isReviewAppError(error, 'LIMIT_REACHED')) {
    return limitMessage(error.message, error.details.apps.map(name), user, now);
  }
  if (isReviewAppError(error)) return errorMessage(errorText(error));
  services.logger.error('launch precheck failed', { error });
  return errorMessage('Something went wrong on our side; the error was logged.');
}

export async function permalink(
  client: webApi.WebClient,
  app: ReviewApp,
): Promise<string | undefined> {
  const { channel, thread } = app.meta;
  if (!channel || !thread) return undefined;
  try {
    const answer = await client.chat.getPermalink({ channel, message_ts: thread });
    return answer.permalink;
  } catch {
    return undefined;
  }
}
