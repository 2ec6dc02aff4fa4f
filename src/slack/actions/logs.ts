import type { AllMiddlewareArgs, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { logsInSlack } from '../logs-flow.js';
import type { SlackServices } from '../services.js';
import { buttonAction } from './button-action.js';

/** Logs: the app's recent lines, privately, to whoever clicked. */
export async function handleLogs(
  services: SlackServices,
  args: SlackActionMiddlewareArgs<BlockButtonAction> & AllMiddlewareArgs,
): Promise<void> {
  await buttonAction(services, args, async ({ mr, project, answer }) => {
    await answer(await logsInSlack(services, project, mr));
  });
}
