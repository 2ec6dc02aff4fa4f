import type { webApi } from '@slack/bolt';
import { isReviewAppError } from '../core/errors.js';
import type { ReviewApp } from '../core/types.js';
import type { SlackMessage } from './messages/blocks.js';
import { errorMessage, errorText, extendedMessage } from './messages/notices.js';
import { notifierFor, type SlackProject, type SlackServices } from './services.js';

/** How an extension asked for in Slack ended: the app runs longer (its thread says so), or why not. */
export type ExtendOutcome = { extended: ReviewApp } | { refused: SlackMessage };

/**
 * Extend an MR's app for a Slack user: the deadline moves by the TTL, never
 * past the hard cap; the thread says until when and the countdown follows.
 */
export async function extendInSlack(
  services: SlackServices,
  project: SlackProject,
  client: webApi.WebClient,
  mr: number,
  user: string,
): Promise<ExtendOutcome> {
  const { clock } = services;
  const { engine } = project;
  try {
    const extended = await engine.extend(mr);
    const { capped } = extended;
    let { app } = extended;
    const notifier = notifierFor(services, client);
    await notifier.postInThread(
      app,
      extendedMessage(notifier.named(app), user, capped, clock.now()),
    );
    await notifier.countdown(app);
    // The channel message names the deadline; the warning's Extend and Stop no longer apply.
    await notifier.showParent(app, { kind: 'running', until: app.meta.softDeadline });
    if (app.meta.warningTs) {
      await notifier.retireButtons(app, 'the review app was extended', { warning: true });
      app = await engine.updateMeta(app, { warningTs: '' });
    }
    return { extended: app };
  } catch (error) {
    if (isReviewAppError(error)) return { refused: errorMessage(errorText(error)) };
    services.logger.error('extend failed', { mr, error });
    return {
      refused: errorMessage('The review app could not be extended; the error was logged.'),
    };
  }
}
