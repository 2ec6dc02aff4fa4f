import type {
  AllMiddlewareArgs,
  BlockButtonAction,
  SlackActionMiddlewareArgs,
  webApi,
} from '@slack/bolt';
import { actorName } from '../../core/diagnosis.js';
import { isReviewAppError } from '../../core/errors.js';
import { errorMessage } from '../messages/notices.js';
import type { SlackMessage } from '../messages/status.js';
import { notifierFor, type SlackServices } from '../services.js';
import { buttonAction } from './button-action.js';

/** Stop an MR's app for a Slack user: its thread says who stopped it. Returns the private answer. */
export async function stopFromSlack(
  services: SlackServices,
  client: webApi.WebClient,
  mr: number,
  user: string,
): Promise<SlackMessage> {
  const { engine } = services;
  try {
    const stopped = await engine.stop(mr, actorName(user, 'slack'), { announced: true });
    await notifierFor(services, client).ended(stopped, engine.explainStop(stopped.task));
    return { text: `Stopped the review app of !${mr}.`, blocks: [] };
  } catch (error) {
    if (isReviewAppError(error)) return errorMessage(error.message);
    services.logger.error('stop failed', { mr, error });
    return errorMessage('The review app could not be stopped; the error was logged.');
  }
}

export async function handleStop(
  services: SlackServices,
  args: SlackActionMiddlewareArgs<BlockButtonAction> & AllMiddlewareArgs,
): Promise<void> {
  await buttonAction(services, args, async ({ mr, user, client, tell }) => {
    const answer = await stopFromSlack(services, client, mr, user);
    if (answer.blocks.length > 0) await tell(answer);
  });
}
