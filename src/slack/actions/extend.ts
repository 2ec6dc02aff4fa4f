import type { AllMiddlewareArgs, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { extendInSlack } from '../extend-flow.js';
import type { SlackServices } from '../services.js';
import { buttonAction } from './button-action.js';

/** Extend: the thread says until when; only a refusal is answered privately. */
export async function handleExtend(
  services: SlackServices,
  args: SlackActionMiddlewareArgs<BlockButtonAction> & AllMiddlewareArgs,
): Promise<void> {
  await buttonAction(services, args, async ({ mr, project, user, client, answer }) => {
    const outcome = await extendInSlack(services, project, client, mr, user);
    if ('refused' in outcome) await answer(outcome.refused);
  });
}
