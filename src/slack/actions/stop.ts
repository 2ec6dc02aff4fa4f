import type { AllMiddlewareArgs, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { SlackServices } from '../services.js';
import { stopInSlack } from '../stop-flow.js';
import { buttonAction } from './button-action.js';

/** Stop: the thread says who stopped the app; only a refusal is answered privately. */
export async function handleStop(
  services: SlackServices,
  args: SlackActionMiddlewareArgs<BlockButtonAction> & AllMiddlewareArgs,
): Promise<void> {
  await buttonAction(services, args, async ({ mr, user, client, answer }) => {
    const outcome = await stopInSlack(services, client, mr, user);
    if ('refused' in outcome) await answer(outcome.refused);
  });
}
