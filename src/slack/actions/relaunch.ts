import type { AllMiddlewareArgs, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { launchInSlack } from '../launch-flow.js';
import type { ListenerServices } from '../services.js';
import { buttonAction } from './button-action.js';

/**
 * Relaunch: stop the MR's app if one runs, take the newest image, launch again
 * in the same thread. Try again (`replace: false`) never stops a running app.
 */
export async function handleRelaunch(
  services: ListenerServices,
  args: SlackActionMiddlewareArgs<BlockButtonAction> & AllMiddlewareArgs,
  replace = true,
): Promise<void> {
  await buttonAction(services, args, async ({ mr, user, channel, thread, client, tell }) => {
    await launchInSlack(services, {
      client,
      channel,
      user,
      mr,
      replace,
      ...(thread ? { thread } : {}),
      reply: tell,
    });
  });
}
