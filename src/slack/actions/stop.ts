import type { AllMiddlewareArgs, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { stopAnsweredMessage } from '../messages/notices.js';
import type { SlackServices } from '../services.js';
import { stopInSlack } from '../stop-flow.js';
import { buttonAction } from './button-action.js';

/**
 * Stop (and "Stop anyway", `confirmed`): the thread says who stopped the app;
 * a refusal or the question about someone else's app is answered privately.
 */
export async function handleStop(
  services: SlackServices,
  args: SlackActionMiddlewareArgs<BlockButtonAction> & AllMiddlewareArgs,
  confirmed = false,
): Promise<void> {
  await buttonAction(
    services,
    args,
    async ({ mr, project, user, client, answer, replaceClicked }) => {
      const outcome = await stopInSlack(services, project, client, mr, user, { confirmed });
      // The question "Stop anyway?" is answered in its place: its button has done its work.
      if (confirmed) return replaceClicked(stopAnsweredMessage(mr, outcome));
      if ('refused' in outcome) await answer(outcome.refused);
      if ('confirm' in outcome) await answer(outcome.confirm);
    },
  );
}
