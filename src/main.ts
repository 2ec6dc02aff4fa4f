// First: silences the AWS SDK's own Node version warning before the SDK loads.
import './node-support.js';
import { config as loadDotenv } from 'dotenv';
import { type RunningBot, startBot } from './bot.js';
import { ConfigError } from './config/config.js';
import { isReviewAppError } from './core/errors.js';
import { createLogger, isLogFormat } from './core/logger.js';
import { chooseMode, sandboxHint, startSandboxMode } from './sandbox-mode.js';

// The bot's entry point: the only place that reads process.env.
loadDotenv({ quiet: true });
const { mode, reason } = chooseMode(process.env);
// JSON for a deployed bot's log collector, text for the sandbox's person at a terminal;
// LOG_FORMAT chooses otherwise (the bot's configuration refuses a value it does not know).
const chosen = (process.env.LOG_FORMAT ?? '').trim().toLowerCase();
const logFormat = isLogFormat(chosen) ? chosen : mode === 'sandbox' ? 'text' : 'json';
const logger = createLogger({ secrets: [], format: logFormat });
logger.info(mode === 'sandbox' ? 'starting the sandbox' : 'starting the bot', { mode, reason });

let stop: () => Promise<void>;
try {
  if (mode === 'sandbox') {
    const sandbox = await startSandboxMode({ env: process.env, logger });
    process.stdout.write(
      `\nReview App Bot sandbox: open ${sandbox.url} (Ctrl-C to stop). Nothing here reaches Slack, GitLab or AWS.\n\n`,
    );
    stop = sandbox.stop;
  } else {
    const bot: RunningBot = await startBot({ env: process.env });
    stop = bot.stop;
  }
} catch (error) {
  if (error instanceof ConfigError) {
    const hint = mode === 'bot' ? sandboxHint(process.env) : undefined;
    process.stderr.write(
      `${error.message}\n\nSet these in the environment or in .env (see .env.example).\n${hint ? `${hint}\n` : ''}`,
    );
    process.exit(2);
  }
  if (isReviewAppError(error, 'SANDBOX_UNAVAILABLE') || isReviewAppError(error, 'PORT_IN_USE')) {
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  // A deployment mistake (token, port, network) is one line naming what to fix, never a stack.
  const message = isReviewAppError(error, 'SETUP_INVALID')
    ? error.message
    : `The bot could not start: ${(error as Error).message ?? String(error)}`;
  process.stderr.write(`${message}\n`);
  process.exit(1);
}
const shutdown = () => {
  // Review apps keep running: their deadlines live in ECS tags and ECS enforces the hard cap.
  void stop().then(() => process.exit(0));
};
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
