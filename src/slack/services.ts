import type { webApi } from '@slack/bolt';
import type { Clock } from '../core/clock.js';
import type { ReviewAppEngine } from '../core/engine.js';
import type { ReviewAppFleet, ServedProject } from '../core/fleet.js';
import type { Logger } from '../core/logger.js';
import type { ReviewApp } from '../core/types.js';
import { SlackNotifier } from './notifier.js';
import { labelOfPath } from './routing.js';
import type { AccessSettings } from './settings.js';

/** A project as Slack needs it: its engine, and who may act on its apps where. */
export interface SlackProject extends ServedProject {
  access: AccessSettings;
}

/** What every listener gets: the projects' engines, time, logging, and who may act. */
export interface SlackServices {
  /** Every project the bot serves; a request is routed to one (see src/slack/routing.ts). */
  fleet: ReviewAppFleet<SlackProject>;
  clock: Clock;
  logger: Logger;
}

/** What a notifier needs: the engine of a one-project caller (the CLI), or every project's. */
export type NotifierServices = Pick<SlackServices, 'clock' | 'logger'> &
  (
    | { fleet: ReviewAppFleet<ServedProject> }
    /** One project's engine; `label` names its project where the CLI serves several. */
    | { engine: ReviewAppEngine; label?: string | undefined }
  );

/**
 * The one way to build a notifier. `updates` is the client for countdown
 * edits, which should reject rate-limited calls so that the watcher waits.
 */
export function notifierFor(
  services: NotifierServices,
  client: webApi.WebClient,
  updates?: webApi.WebClient,
  relaunch?: (app: ReviewApp) => Promise<void>,
): SlackNotifier {
  const { clock, logger } = services;
  const fleet = 'fleet' in services ? services.fleet : undefined;
  // Each app is spoken of by its own project's engine, and named by its project with several.
  const engineOf = (app: { meta: { project: string } }) =>
    fleet ? fleet.engineOf(app) : (services as { engine: ReviewAppEngine }).engine;
  return new SlackNotifier(client, {
    clock,
    logger,
    ...(fleet && fleet.projects.length > 1
      ? { labelOf: (meta: { project: string }) => labelOfPath(fleet, meta.project) }
      : {}),
    ...('label' in services && services.label ? { labelOf: () => services.label } : {}),
    costOf: (app) => engineOf(app).costOf(app),
    logsOf: (app) => engineOf(app).recentLogs(app),
    mergeRequestUrl: (meta) => engineOf({ meta }).mergeRequestUrl(meta),
    ...(updates ? { updates } : {}),
    ...(relaunch ? { relaunch } : {}),
  });
}
