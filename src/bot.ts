import { readFileSync } from 'node:fs';
import { webApi } from '@slack/bolt';
import { createFleet } from './compose.js';
import { type Env, secretsOf } from './config/config.js';
import { loadBotSetup } from './config/projects.js';
import { type Clock, systemClock } from './core/clock.js';
import { createLogger, type LogFormat } from './core/logger.js';
import { nodeSupportNotice } from './node-support.js';
import { createSlackApp } from './slack/app.js';
import { boltLogger } from './slack/bolt-logger.js';
import { relaunchInThread } from './slack/follow-flow.js';
import { notifierFor, type SlackServices } from './slack/services.js';
import { verifyBotToken } from './slack/startup.js';
import { slackThreadLinks } from './slack/thread-links.js';
import { Watcher } from './watcher/watcher.js';

export interface RunningBot {
  port: number;
  mode: 'http' | 'socket';
  watcher: Watcher;
  stop(): Promise<void>;
}

/** The bot's composition root: configuration, engine, Slack app and watcher, wired once. */
export async function startBot(options: {
  env: Env;
  /** Where log lines go (standard error by default); secrets are scrubbed before. */
  writeLog?: (line: string) => void;
  /** Unless LOG_FORMAT says otherwise: JSON, for whatever collects a deployed bot's logs. */
  logFormat?: LogFormat;
  clock?: Clock;
  /** Tests drive the watcher's rounds themselves instead of letting it loop. */
  manualWatch?: boolean;
}): Promise<RunningBot> {
  const setup = loadBotSetup(options.env, (path) => readFileSync(path, 'utf8'));
  const { slack, projects } = setup;
  const clock = options.clock ?? systemClock;
  const logger = createLogger({
    secrets: secretsOf(options.env),
    now: clock.now,
    format: setup.logFormat ?? options.logFormat ?? 'json',
    ...(options.writeLog ? { write: options.writeLog } : {}),
  });
  const notice = nodeSupportNotice();
  // Info, not a warning: the bot runs fine here; the operator learns what to upgrade.
  if (notice) logger.info(notice);
  const identity = await verifyBotToken(slack, logger);
  // Rate-limited calls fail at once rather than hold up the countdowns of other apps.
  const watchClient = new webApi.WebClient(slack.botToken, {
    ...(slack.apiUrl ? { slackApiUrl: slack.apiUrl } : {}),
    rejectRateLimitedCalls: true,
    logger: boltLogger(logger),
  });
  const fleet = createFleet({
    projects,
    env: options.env,
    logger,
    clock,
    threadLinks: slackThreadLinks(watchClient),
  });
  const services: SlackServices = { fleet, clock, logger };
  const followOf = new Map(projects.map((project) => [project.path, project.follow]));
  const autoRelaunch = projects.some((project) => project.follow.commits === 'auto');
  let watcher: Watcher | undefined;
  const bot = createSlackApp({
    config: slack,
    services,
    identity,
    watchHealth: () => watcher?.health(),
  });
  let port: number;
  try {
    port = await bot.start();
  } catch (error) {
    // Whatever did start (a listening port, a socket) must not keep the process alive.
    await bot.stop().catch(() => {});
    throw error;
  }
  watcher = new Watcher({
    fleet,
    notifier: notifierFor(
      services,
      bot.app.client,
      watchClient,
      autoRelaunch ? relaunchInThread(services, bot.app.client) : undefined,
    ),
    clock,
    logger,
    updatesPerMinute: slack.updatesPerMinute,
    follow: (path) => followOf.get(path) ?? (projects[0] as (typeof projects)[number]).follow,
  });
  if (!options.manualWatch) watcher.start();
  let stopped = false;
  logger.info('review app bot started', {
    mode: bot.mode,
    port,
    projects: projects.map((project) => project.path || project.gitlab.project),
  });
  return {
    port,
    mode: bot.mode,
    watcher,
    async stop() {
      if (stopped) return;
      stopped = true;
      await watcher.stop();
      await bot.stop();
      logger.info('review app bot stopped; running review apps keep their deadlines and hard cap');
    },
  };
}
