import type { webApi } from '@slack/bolt';
import type { ReviewApp } from '../core/types.js';
import { launchInSlack } from './launch-flow.js';
import { notifierFor, type SlackServices } from './services.js';

/**
 * The automatic relaunch with a new commit (REVIEW_APP_FOLLOW=auto): a
 * relaunch in the app's own thread, on behalf of whoever launched it, so the
 * usual limits apply; a refusal is said in the thread, since nobody clicked.
 */
export function relaunchInThread(
  services: SlackServices,
  client: webApi.WebClient,
): (app: ReviewApp) => Promise<void> {
  const notifier = notifierFor(services, client);
  return async (app) => {
    const { channel, thread } = app.meta;
    const project = services.fleet.projectOf(app);
    if (!channel || !thread || !project) return;
    await launchInSlack(services, {
      project,
      client,
      channel,
      thread,
      user: app.meta.requester,
      mr: app.meta.mr,
      replace: true,
      answer: async (message) => {
        await notifier.postInThread(app, message);
      },
    });
  };
}
