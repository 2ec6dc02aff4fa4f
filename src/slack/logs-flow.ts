import { isReviewAppError } from '../core/errors.js';
import type { SlackMessage } from './messages/blocks.js';
import { mrRef } from './messages/format.js';
import { logsMessage } from './messages/logs.js';
import { errorMessage, errorText } from './messages/notices.js';
import { labelOf } from './routing.js';
import type { SlackProject, SlackServices } from './services.js';

/** The recent lines of an MR's newest app (running or recently stopped), as a private answer. */
export async function logsInSlack(
  services: SlackServices,
  project: SlackProject,
  mr: number,
): Promise<SlackMessage> {
  const { logger } = services;
  const { engine } = project;
  const label = labelOf(services, project);
  try {
    const app = await engine.latest(mr);
    if (!app)
      return errorMessage(`${mrRef(mr, label)} has no review app running or recently stopped.`);
    return logsMessage({ ...app, label }, await engine.recentLogs(app, 40));
  } catch (error) {
    if (isReviewAppError(error)) return errorMessage(errorText(error));
    logger.error('logs failed', { mr, error });
    return errorMessage('The logs could not be read; the error was logged.');
  }
}
