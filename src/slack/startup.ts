import { webApi } from '@slack/bolt';
import { ReviewAppError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { networkFailure } from '../core/network-failure.js';
import { boltLogger } from './bolt-logger.js';
import type { SlackSettings } from './settings.js';
import { slackErrorCode } from './web-api-error.js';

/** Who the bot is in the workspace; Bolt needs it to ignore its own events. */
export interface BotIdentity {
  botUserId: string;
  botId: string;
}

const SLACK_TIMEOUT_MS = 10_000;

/** Slack's answers that mean the token itself is wrong (auth.test's error table). */
const REFUSED_TOKEN = new Set([
  'invalid_auth',
  'not_authed',
  'account_inactive',
  'token_revoked',
  'token_expired',
  'not_allowed_token_type',
]);

/**
 * Checks the bot token with `auth.test` before anything listens, so that a
 * wrong token stops the start with one line instead of failing the first
 * request (Bolt's own check runs in the background and its rejection is
 * nobody's). A user token passes auth.test but has no `bot_id`.
 */
export async function verifyBotToken(
  settings: Pick<SlackSettings, 'botToken' | 'apiUrl'>,
  logger: Logger,
): Promise<BotIdentity> {
  const client = startupClient(settings.botToken, settings.apiUrl, logger);
  let answer: webApi.AuthTestResponse;
  try {
    answer = await client.auth.test();
  } catch (error) {
    throw slackStartupError(error, 'SLACK_BOT_TOKEN', settings.apiUrl);
  }
  if (!answer.bot_id || !answer.user_id) {
    throw new ReviewAppError(
      'SETUP_INVALID',
      'SLACK_BOT_TOKEN belongs to a person, not to the app: use the Bot User OAuth Token (xoxb-...) from OAuth & Permissions.',
      { variable: 'SLACK_BOT_TOKEN' },
    );
  }
  return { botUserId: answer.user_id, botId: answer.bot_id };
}

/** A Web API client for checking a token: one try, and a bound on how long Slack may take. */
export function startupClient(token: string, apiUrl: string | undefined, logger: Logger) {
  return new webApi.WebClient(token, {
    ...(apiUrl ? { slackApiUrl: apiUrl } : {}),
    retryConfig: { retries: 0 },
    timeout: SLACK_TIMEOUT_MS,
    logger: boltLogger(logger),
  });
}

/** One line naming what to fix, from a Web API error met while starting. */
export function slackStartupError(
  error: unknown,
  variable: 'SLACK_BOT_TOKEN' | 'SLACK_APP_TOKEN',
  apiUrl: string | undefined,
): ReviewAppError {
  const code = (error as { code?: string }).code;
  const slackError = slackErrorCode(error);
  if (code === webApi.ErrorCode.PlatformError && slackError && REFUSED_TOKEN.has(slackError)) {
    const where =
      variable === 'SLACK_BOT_TOKEN'
        ? 'copy the Bot User OAuth Token (xoxb-...) from OAuth & Permissions'
        : 'create an app-level token with the connections:write scope under Basic Information (xapp-...)';
    return new ReviewAppError(
      'SETUP_INVALID',
      `Slack refused ${variable} (${slackError}): ${where}.`,
      { variable },
      { cause: error },
    );
  }
  if (code === webApi.ErrorCode.RequestError || code === webApi.ErrorCode.HTTPError) {
    const base = apiUrl ?? 'https://slack.com/api/';
    const failure = networkFailure(error);
    return new ReviewAppError(
      'SETUP_INVALID',
      `Slack could not be reached at ${base}${failure ? ` (${failure})` : ''}: check the network and proxy${apiUrl ? ', and SLACK_API_URL' : ''}, then start again.`,
      { variable: 'SLACK_API_URL' },
      { cause: error },
    );
  }
  return new ReviewAppError(
    'SETUP_INVALID',
    `Slack refused to start the app with ${variable}: ${slackError ?? (error as Error).message}.`,
    { variable },
    { cause: error },
  );
}

/** A port already taken gets the port's name and number. */
export function listenError(error: unknown, port: number): unknown {
  if ((error as { code?: string }).code !== 'EADDRINUSE') return error;
  return new ReviewAppError(
    'SETUP_INVALID',
    `PORT ${port} is already in use: stop what listens there, or set PORT to a free port.`,
    { variable: 'PORT', port },
    { cause: error },
  );
}
