import type { webApi } from '@slack/bolt';
import type { Clock } from '../core/clock.js';
import type { ReviewAppEngine } from '../core/engine.js';
import type { Logger } from '../core/logger.js';
import type { ReviewApp } from '../core/types.js';
import { SlackNotifier } from './notifier.js';
import type { AccessSettings } from './settings.js';

/** What every listener gets: the engine, time, logging, and who may act. */
export interface SlackServices {
  engine: ReviewAppEngine;
  clock: Clock;
  logger: Logger;
  access: AccessSettings;
}

/**
 * The one way to build a notifier. `updates` is the client for countdown
 * edits, which should reject rate-limited calls so that the watcher waits.
 */
export function notifierFor(
  services: Omit<SlackServices, 'access'>,
  client: webApi.WebClient,
  updates?: webApi.WebClient,
  relaunch?: (app: ReviewApp) => Promise<void>,
): SlackNotifier {
  const { engine, clock, logger } = services;
  return new SlackNotifier(client, {
    clock,
    logger,
    costOf: (app) => engine.costOf(app),
    logsOf: (app) => engine.recentLogs(app),
    mergeRequestUrl: (meta) => engine.mergeRequestUrl(meta),
    ...(updates ? { updates } : {}),
    ...(relaunch ? { relaunch } : {}),
  });
}
