import type { AllMiddlewareArgs, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { launchInSlack } from '../launch-flow.js';
import type { SlackServices } from '../services.js';
import { buttonAction } from './button-action.js';

/**
 * Relaunch: stop the MR's app if one runs, take the newest image, launch again
 * in the same thread. Try again (`replace: false`) never stops a running app.
 */
export async function handleRelaunch(
  services: SlackServices,
  args: SlackActionMiddlewareArgs<BlockButtonAction> & AllMiddlewareArgs,
  replace = true,
): Promise<void> {
  await buttonAction(
    services,
    args,
    async ({ mr, project, user, channel, thread, client, answer }) => {
      // A click on a private message has no thread: relaunch in the running app's thread.
      const running = thread
        ? undefined
        : await project.engine.findRunning(mr).catch(() => undefined);
      const where =
        running?.meta.channel && running.meta.thread
          ? { channel: running.meta.channel, thread: running.meta.thread }
          : { channel, ...(thread ? { thread } : {}) };
      await launchInSlack(services, { project, client, ...where, user, mr, replace, answer });
    },
  );
}
