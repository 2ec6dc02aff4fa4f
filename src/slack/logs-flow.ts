import { isReviewAppError } from '../core/errors.js';
import type { SlackMessage } from './messages/blocks.js';
import { logsMessage } from './messages/logs.js';
import { errorMessage, errorText } from './messages/notices.js';
import type { SlackServices } from './services.js';

/** The recent lines of an MR's newest app (running or recently stopped), as a private answer. */
export async function logsInSlack(services: SlackServices, mr: number): Promise<SlackMessage> {
  const { engine, logger } = services;
  try {
    const app = await engine.latest(mr);
    if (!app) return errorMessage(`!${mr} has no review app running or recently stopped.`);
    return logsMessage(app, await engine.recentLogs(app, 40));
  } catch (error) {
    if (isReviewAppError(error)) return errorMessage(errorText(error));
    logger.error('logs failed', { mr, error });
    return errorMessage('The logs could not be read; the error was logged.');
  }
}
