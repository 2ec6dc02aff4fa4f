import type { AllMiddlewareArgs, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { isReviewAppError } from '../../core/errors.js';
import { errorMessage, errorText, extendedMessage } from '../messages/notices.js';
import { notifierFor, type SlackServices } from '../services.js';
import { buttonAction } from './button-action.js';

/** Extend: the deadline moves by the TTL, never past the hard cap; the thread says until when. */
export async function handleExtend(
  services: SlackServices,
  args: SlackActionMiddlewareArgs<BlockButtonAction> & AllMiddlewareArgs,
): Promise<void> {
  await buttonAction(services, args, async ({ mr, user, client, answer }) => {
    const { engine, clock } = services;
    try {
      const { app, capped } = await engine.extend(mr);
      const notifier = notifierFor(services, client);
      await notifier.postInThread(app, extendedMessage(app, user, capped, clock.now()));
      await notifier.countdown(app);
    } catch (error) {
      if (isReviewAppError(error)) return answer(errorMessage(errorText(error)));
      services.logger.error('extend failed', { mr, error });
      return answer(errorMessage('The review app could not be extended; the error was logged.'));
    }
  });
}
