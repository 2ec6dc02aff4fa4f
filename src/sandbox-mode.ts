import { createRequire } from 'node:module';
import { type RunningBot, startBot } from './bot.js';
import { ConfigError, type Env } from './config/config.js';
import { type Clock, scaledClock, systemClock } from './core/clock.js';
import { ReviewAppError } from './core/errors.js';
import type { Logger } from './core/logger.js';

/**
 * `npm start` with nothing configured runs the sandbox: loopback stand-ins
 * for Slack, GitLab and AWS, the real bot connected to them, and a page at
 * http://localhost:3000 that looks like a Slack workspace. The bot serves two
 * projects there (acme/shop, acme/api) through the review-apps.yml the
 * sandbox writes, which its REVIEW_APP_CONFIG names. The stand-ins are a
 * development package that the production image does not hold, so they are
 * loaded only here, at run time.
 */

/** Variables that say an operator is setting up a real bot: any of them means "not the sandbox". */
const REAL_SETUP = [
  'SLACK_BOT_TOKEN',
  'SLACK_APP_TOKEN',
  'SLACK_SIGNING_SECRET',
  'GITLAB_URL',
  'GITLAB_TOKEN',
  'GITLAB_PROJECT',
  'ECS_CLUSTER',
  'ECS_TASK_DEFINITION',
  'ECS_SUBNETS',
  // review-apps.yml: an operator listing projects is setting up the real bot.
  'REVIEW_APP_CONFIG',
];

export type StartMode = { mode: 'bot' | 'sandbox'; reason: string };

/** Which of the bot's own variables are set (in the shell or .env): any one chooses the bot. */
export function setupVariablesSet(env: Env): string[] {
  return REAL_SETUP.filter((name) => (env[name] ?? '').trim() !== '');
}

export function chooseMode(env: Env): StartMode {
  const set = setupVariablesSet(env);
  if (set.length > 0) return { mode: 'bot', reason: `${set.join(', ')} set` };
  return { mode: 'sandbox', reason: 'no SLACK_BOT_TOKEN and no other configuration' };
}

/** What the bot uses of the sandbox package (typed here: the build must not compile it). */
interface PlaygroundModule {
  startPlayground(options: { port: number; now: () => number; speed: number }): Promise<{
    url: string;
    env: Env;
    close(): Promise<void>;
  }>;
}

// A variable, so that TypeScript does not follow it into the package: dist/ holds only src/.
const SANDBOX_PACKAGE = '@review-app-bot/sandbox';

export async function loadSandboxPackage(specifier = SANDBOX_PACKAGE): Promise<PlaygroundModule> {
  try {
    return (await import(specifier)) as PlaygroundModule;
  } catch (error) {
    const code = (error as { code?: string }).code;
    // A checkout has the package, as TypeScript: plain Node (the built dist/main.js) cannot load it.
    if (code === 'ERR_UNKNOWN_FILE_EXTENSION') {
      throw new ReviewAppError(
        'SANDBOX_UNAVAILABLE',
        `Nothing is configured: \`npm start\` runs the sandbox (the built dist/ holds the bot only); to run the bot, set ${BOT_SETUP}.`,
      );
    }
    if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') throw error;
    throw new ReviewAppError(
      'SANDBOX_UNAVAILABLE',
      `Nothing is configured and this installation has no sandbox: set ${BOT_SETUP}.`,
    );
  }
}

const BOT_SETUP =
  'SLACK_BOT_TOKEN, GITLAB_URL, GITLAB_TOKEN, GITLAB_PROJECT and the ECS_* variables (see .env.example)';

/**
 * For a bot whose configuration is incomplete: which of its variables chose the
 * bot over the sandbox, when this installation has the sandbox (a checkout, not
 * the image). Someone trying `npm start` may have one exported for another tool.
 */
export function sandboxHint(env: Env, specifier = SANDBOX_PACKAGE): string | undefined {
  const set = setupVariablesSet(env);
  if (set.length === 0 || !isInstalled(specifier)) return undefined;
  const them = set.length === 1 ? 'it' : 'them';
  return `${set.join(', ')} ${set.length === 1 ? 'is' : 'are'} set (in the shell or .env), so the real bot started: unset ${them} (unset ${set.join(' ')}) and \`npm start\` runs the sandbox instead.`;
}

function isInstalled(specifier: string): boolean {
  try {
    createRequire(import.meta.url).resolve(specifier);
    return true;
  } catch {
    return false;
  }
}

/** SANDBOX_SPEED: how many times faster than real time the sandbox runs (1 by default). */
export function sandboxSpeed(env: Env): number {
  const raw = (env.SANDBOX_SPEED ?? '').trim();
  if (raw === '') return 1;
  const speed = Number(raw);
  if (!Number.isFinite(speed) || speed < 1 || speed > 3600) {
    throw new ConfigError([
      `SANDBOX_SPEED must be a number from 1 to 3600 (got ${JSON.stringify(raw)})`,
    ]);
  }
  return speed;
}

export interface RunningSandbox {
  url: string;
  bot: RunningBot;
  clock: Clock;
  stop(): Promise<void>;
}

/** Starts the stand-ins, the page and the real bot on one clock. */
export async function startSandboxMode(options: {
  env: Env;
  logger: Logger;
  writeLog?: (line: string) => void;
  /** For tests: a package other than the real one. */
  specifier?: string;
}): Promise<RunningSandbox> {
  const { env, logger } = options;
  const speed = sandboxSpeed(env);
  const module = await loadSandboxPackage(options.specifier);
  const clock = speed === 1 ? systemClock : scaledClock(speed);
  const port = Number((env.PORT ?? '').trim() || 3000);
  const playground = await module
    .startPlayground({ port, now: clock.now, speed })
    .catch((error: unknown) => {
      if ((error as { code?: string }).code !== 'EADDRINUSE') throw error;
      throw new ReviewAppError(
        'PORT_IN_USE',
        `Port ${port} is taken: set PORT to a free one (e.g. PORT=3001 npm start).`,
        { port },
      );
    });
  let bot: RunningBot;
  try {
    bot = await startBot({
      // The sandbox's reader is a person at a terminal: text, unless LOG_FORMAT says otherwise.
      env: { ...playground.env, LOG_FORMAT: env.LOG_FORMAT },
      logFormat: 'text',
      clock,
      ...(options.writeLog ? { writeLog: options.writeLog } : {}),
    });
  } catch (error) {
    await playground.close();
    throw error;
  }
  logger.info('sandbox ready', { url: playground.url, speed });
  return {
    url: playground.url,
    bot,
    clock,
    async stop() {
      await bot.stop();
      await playground.close();
    },
  };
}
