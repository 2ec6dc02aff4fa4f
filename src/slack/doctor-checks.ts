import { type CheckResult, failed, failedWith, passed } from '../core/check.js';
import type { Logger } from '../core/logger.js';
import { slackStartupError, startupClient, verifyBotToken } from './startup.js';

/**
 * What `review-app doctor` asks Slack, when Slack variables are set: the bot
 * token (auth.test) and the app-level token (apps.connections.open, which
 * only hands out a Socket Mode URL; nothing connects to it).
 */
export async function slackChecks(
  env: {
    botToken?: string | undefined;
    appToken?: string | undefined;
    apiUrl?: string | undefined;
  },
  logger: Logger,
): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  if (env.botToken) {
    const name = 'Slack bot token';
    if (!env.botToken.startsWith('xoxb-')) {
      results.push(
        failed(
          name,
          'SLACK_BOT_TOKEN must be the Bot User OAuth Token (xoxb-...) from OAuth & Permissions.',
        ),
      );
    } else {
      try {
        const identity = await verifyBotToken(
          { botToken: env.botToken, apiUrl: env.apiUrl },
          logger,
        );
        results.push(passed(name, `Valid: the bot is user ${identity.botUserId}.`));
      } catch (error) {
        results.push(failedWith(name, error));
      }
    }
  }
  if (env.appToken) {
    const name = 'Slack app token';
    if (!env.appToken.startsWith('xapp-')) {
      results.push(
        failed(
          name,
          'SLACK_APP_TOKEN must be an app-level token (xapp-...) with connections:write, from Basic Information.',
        ),
      );
    } else {
      try {
        const client = startupClient(env.appToken, env.apiUrl, logger);
        await client.apps.connections.open();
        results.push(passed(name, 'Valid for Socket Mode.'));
      } catch (error) {
        results.push(failedWith(name, slackStartupError(error, 'SLACK_APP_TOKEN', env.apiUrl)));
      }
    }
  }
  return results;
}
