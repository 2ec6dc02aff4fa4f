import { MetaCache, yieldToEventLoop } from './meta-cache.js';
import type { ReviewApp, TaskInfo } from './types.js';

/** Apps handled between two yields to the event loop, so that Slack is never kept waiting long. */
const BATCH = 100;

export interface SurveyOptions {
  /** Tasks to describe whatever their state (the watcher's, launches still settling). */
  known?: string[];
  /** Recently stopped tasks too: apps that ended while the bot was away (recovery). */
  includeStopped?: boolean;
  /** Recently stopped tasks alone, for a caller that has read the running ones already. */
  onlyStopped?: boolean;
  /** `known` holds every task the caller follows (the watcher), so other tasks' decoded tags may go. */
  complete?: boolean;
  /**
   * Also keep, as `others`, the apps of these projects (the bot's other projects, for the
   * limit per person across them): read from the same listing, at no extra call.
   */
  others?: (project: string) => boolean;
}

/** The platform's listing of the bot's tasks (TaskPlatform.listTasks, or one shared by projects). */
export type ListTasks = (options: {
  known: string[];
  includeStopped: boolean;
  onlyStopped?: boolean;
}) => Promise<TaskInfo[]>;

/**
 * Review apps as the platform shows them now, read from the tasks' tags: the
 * bot keeps no other record, so every listing, every limit check and every
 * watch round (after a restart too) starts here. `serves` says which projects'
 * apps are wanted (one engine's project, or every project of the fleet).
 */
export class AppSurvey {
  private readonly metas = new MetaCache();

  constructor(
    private readonly list: ListTasks,
    private readonly serves: () => Promise<(project: string) => boolean>,
  ) {}

  /**
   * The running apps, the `known` ones whatever their state, and (when asked) recently
   * stopped ones; with the `known` tasks the platform no longer has. ECS forgets stopped
   * tasks after about an hour, so an app that ended while nobody watched can only be missed.
   */
  async survey(
    options: SurveyOptions = {},
  ): Promise<{ apps: ReviewApp[]; missing: string[]; others: ReviewApp[] }> {
    const tasks = await this.list({
      known: options.known ?? [],
      includeStopped: options.includeStopped ?? false,
      ...(options.onlyStopped ? { onlyStopped: true } : {}),
    });
    if (tasks.length === 0) return { apps: [], missing: options.known ?? [], others: [] };
    const described = new Set(tasks.map((t) => t.arn));
    const missing = (options.known ?? []).filter((arn) => !described.has(arn));
    const serves = await this.serves();
    // Review apps of the served projects only: one cluster may serve several bots.
    const apps: ReviewApp[] = [];
    const others: ReviewApp[] = [];
    for (const [index, task] of tasks.entries()) {
      if (index > 0 && index % BATCH === 0) await yieldToEventLoop();
      const meta = this.metas.read(task.arn, task.tags);
      if (!meta) continue;
      const app = { task, meta, ...(meta.url ? { address: { url: meta.url } } : {}) };
      if (serves(meta.project)) apps.push(app);
      else if (options.others?.(meta.project)) others.push(app);
    }
    // Only a look at every task the watcher follows may tell which ones are gone.
    if (options.complete) this.metas.retain(tasks.map((task) => task.arn));
    return { apps, missing, others };
  }
}
