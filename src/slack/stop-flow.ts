import type { webApi } from '@slack/bolt';
import { actorName } from '../core/diagnosis.js';
import { isReviewAppError } from '../core/errors.js';
import type { ReviewApp } from '../core/types.js';
import type { SlackMessage } from './messages/blocks.js';
import { errorMessage, errorText, stopAnywayMessage } from './messages/notices.js';
import { notifierFor, type SlackProject, type SlackServices } from './services.js';

/**
 * How a stop asked for in Slack ended: the app stopped (its thread says so),
 * why not, or a question first, since the app is someone else's.
 */
export type StopOutcome =
  | { stopped: ReviewApp }
  | { refused: SlackMessage }
  | { confirm: SlackMessage };

/**
 * Stop an MR's app for a Slack user. An app someone else launched is only
 * stopped once `confirmed` (the "Stop anyway" button): a reviewer's click
 * should not end a demo in progress by mistake. The thread hears who stopped
 * it; the caller decides what the person who asked hears privately.
 */
export async function stopInSlack(
  services: SlackServices,
  project: SlackProject,
  client: webApi.WebClient,
  mr: number,
  user: string,
  options: { confirmed?: boolean } = {},
): Promise<StopOutcome> {
  const { engine } = project;
  try {
    const own = (app: ReviewApp) => app.meta.source === 'slack' && app.meta.requester === user;
    const outcome = await engine.stopIf(
      mr,
      actorName(user, 'slack'),
      (app) => options.confirmed === true || own(app),
      { announced: true },
    );
    if ('declined' in outcome) return { confirm: stopAnywayMessage(outcome.declined) };
    const { stopped } = outcome;
    await notifierFor(services, client).ended(stopped, engine.explainStop(stopped.task));
    return { stopped };
  } catch (error) {
    if (isReviewAppError(error)) return { refused: errorMessage(errorText(error)) };
    services.logger.error('stop failed', { mr, error });
    return {
      refused: errorMessage('The review app could not be stopped; the error was logged.'),
    };
  }
}
