import type { Clock } from '../core/clock.js';
import { LOST_EXPLANATION, type StopExplanation, stopReasonFor } from '../core/diagnosis.js';
import type { ReviewAppEngine } from '../core/engine.js';
import type { ReviewAppFleet } from '../core/fleet.js';
import type { Logger } from '../core/logger.js';
import { yieldToEventLoop } from '../core/meta-cache.js';
import type { RoutedAppKey, TaskAddress } from '../core/ports.js';
import { isEnded, type MergeRequestStatus, type ReviewApp } from '../core/types.js';
import {
  type CommitNews,
  DEFAULT_FOLLOW,
  type FollowSettings,
  followStatuses,
  readStatuses,
} from './follow.js';
import { UpdateBudget } from './update-budget.js';

/**
 * Projects whose merge requests are read at once on an MR check. Reading several at once
 * adds no request: GitLab's rate limits count a user's requests a minute or an hour, not
 * how many are open (docs.gitlab.com/user/gitlab_com/rate_limits, and an instance's own
 * under Admin > Settings > Network); a few at once keeps a burst small all the same.
 */
const FOLLOW_READS_AT_ONCE = 4;

/** `f` over `items`, at most `size` at a time, the results in the items' order. */
async function inBatches<T, R>(items: T[], size: number, f: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += size) {
    results.push(...(await Promise.all(items.slice(i, i + size).map(f))));
  }
  return results;
}

/** `retryAfterMs`: Slack asked to wait that long before the next update. */
export type CountdownResult = 'updated' | 'failed' | { retryAfterMs: number };

/** What the watcher tells people; Slack implements it. Failures are the notifier's to log. */
export interface Notifier {
  /** Refresh the countdown. Being rate limited makes every countdown wait as long as Slack asks. */
  countdown(app: ReviewApp): Promise<CountdownResult>;
  /** The warning before the deadline; the message's id when its buttons must go later. */
  warn(app: ReviewApp): Promise<string | undefined>;
  /** The end, told once; how many messages it edited (they count against the budget). */
  ended(app: ReviewApp, explanation: StopExplanation): Promise<number>;
  /**
   * A new head commit of the app's MR: its pipeline runs, failed, or its image is ready.
   * The message's id when it offers a relaunch, whose button must go later.
   */
  newCommit(app: ReviewApp, news: CommitNews): Promise<string | undefined>;
}

export interface WatcherOptions {
  /** Every project's engine; the apps of all of them are read together, each handled by its own. */
  fleet: ReviewAppFleet;
  notifier: Notifier;
  clock: Clock;
  logger: Logger;
  /** Slack message updates per minute shared by all countdowns. */
  updatesPerMinute: number;
  /** Time between rounds. */
  intervalMs?: number;
  /** How long before the soft deadline the requester is warned. */
  warnBeforeMs?: number;
  /** How often a countdown is refreshed when the budget allows. */
  refreshMs?: number;
  /** How apps follow their merge request (merged, closed, new commits), by project path. */
  follow?: (project: string) => FollowSettings;
}

const MINUTE = 60_000;
/** How often GitLab's list of available review environments is checked against the apps. */
const ENVIRONMENTS_CHECK_MS = 5 * MINUTE;
/** How often the load balancer's rules and target groups are checked against the live apps. */
const ROUTES_SWEEP_MS = 5 * MINUTE;

/**
 * One loop watches every review app: it reads ECS in batches of 100, keeps
 * countdowns fresh within Slack's update budget, warns before the deadline,
 * stops apps at their deadline, and explains every end exactly once. All it
 * knows is in the tasks' tags, so a restarted bot carries on where it was.
 */
export class Watcher {
  private readonly known = new Set<string>();
  /** Ends this process announced although their tag could not say so. */
  private readonly announcedHere = new Set<string>();
  private readonly updatedAt = new Map<string, number>();
  /** The last view of each app being watched, to speak of it should ECS forget its task. */
  private readonly lastSeen = new Map<string, ReviewApp>();
  private readonly budget: UpdateBudget;
  private readonly intervalMs: number;
  private readonly warnBeforeMs: number;
  private readonly refreshMs: number;
  private abort: AbortController | undefined;
  private loop: Promise<void> | undefined;
  private rounds = 0;
  /** Rounds in a row that could not read ECS, and why the last one failed (for /healthz). */
  private failedRounds = 0;
  private lastFailure: string | undefined;
  private followedAt = Number.NEGATIVE_INFINITY;
  private environmentsCheckedAt = Number.NEGATIVE_INFINITY;
  private routesSweptAt = Number.NEGATIVE_INFINITY;
  /** MRs merged or closed since the last sweep (`project!mr`): their ended pages need not wait out the day. */
  private readonly closedMrs = new Map<string, RoutedAppKey>();

  constructor(private readonly options: WatcherOptions) {
    this.budget = new UpdateBudget(options.updatesPerMinute, options.clock.now());
    this.intervalMs = options.intervalMs ?? 15_000;
    this.warnBeforeMs = options.warnBeforeMs ?? 5 * MINUTE;
    this.refreshMs = options.refreshMs ?? MINUTE;
  }

  /** Pick up where a previous run left off (stopped apps included), then watch until stopped. */
  start(): void {
    if (this.loop) return;
    const abort = new AbortController();
    this.abort = abort;
    this.loop = (async () => {
      // Recovery is repeated until it succeeds: only it finds apps that ended while the bot was away.
      let recovered = false;
      while (!abort.signal.aborted) {
        try {
          await (recovered ? this.round() : this.recover());
          recovered = true;
        } catch (error) {
          this.options.logger.error('watch round failed', { error });
        }
        await this.options.clock.sleep(this.intervalMs, abort.signal).catch(() => {});
      }
    })();
  }

  /** Stop watching; running review apps are left alone (their hard cap still holds). */
  async stop(): Promise<void> {
    this.abort?.abort();
    await this.loop;
    this.loop = undefined;
  }

  /** How the last rounds went: a round fails when it cannot read the apps at all. */
  health(): { failedRounds: number; lastFailure?: string } {
    return this.lastFailure === undefined
      ? { failedRounds: this.failedRounds }
      : { failedRounds: this.failedRounds, lastFailure: this.lastFailure };
  }

  /** The first round after start-up: also finds apps that ended while the bot was away. */
  recover(): Promise<void> {
    return this.round({ includeStopped: true });
  }

  /** One look at every app. `includeStopped` also finds apps that ended while the bot was away. */
  async round(options: { includeStopped?: boolean } = {}): Promise<void> {
    const { fleet } = this.options;
    for (const arn of fleet.drainLaunched()) this.known.add(arn);
    let survey: { apps: ReviewApp[]; missing: string[] };
    try {
      survey = await fleet.survey({
        known: [...this.known],
        includeStopped: options.includeStopped ?? false,
        complete: true,
      });
    } catch (error) {
      this.failedRounds += 1;
      this.lastFailure = error instanceof Error ? error.message : String(error);
      throw error;
    }
    this.failedRounds = 0;
    this.lastFailure = undefined;
    const { apps, missing } = survey;
    await this.markLost(missing);
    const addresses = new Map<string, TaskAddress>();
    for (const group of fleet.byEngine(this.toAdopt(apps))) {
      const read = await group.engine.addressesOf(group.apps.map((app) => app.task));
      for (const [arn, address] of read) addresses.set(arn, address);
    }
    const due: ReviewApp[] = [];
    for (const [index, app] of apps.entries()) {
      // A thousand apps are a long stretch of work: let Slack requests in between.
      if (index > 0 && index % 100 === 0) await yieldToEventLoop();
      // One app's failure (AWS or Slack refusing) must not hold up the others.
      try {
        const current = await this.look(app, addresses);
        if (current) due.push(current);
      } catch (error) {
        this.options.logger.error('could not watch a review app', { mr: app.meta.mr, error });
      }
    }
    await this.follow(apps);
    await this.endEnvironments(apps);
    await this.reconcileEnvironments(apps);
    await this.sweepRoutes(apps, options.includeStopped ?? false);
    // Following may have stopped some (a merged MR): a countdown now would cover their end.
    await this.refreshCountdowns(due.filter((app) => !this.announcedHere.has(app.task.arn)));
    this.rounds += 1;
    if (this.rounds % 40 === 0) {
      for (const project of fleet.projects) {
        await project.engine
          .cleanUp()
          .catch((error) => this.options.logger.warn('task definition clean-up failed', { error }));
      }
    }
  }

  /**
   * MRs whose app ended this round, and that run no other app, end their GitLab environment,
   * unless the stop that ended the app ended it already.
   */
  private async endEnvironments(apps: ReviewApp[]): Promise<void> {
    for (const group of this.options.fleet.byEngine(apps)) {
      await this.endEnvironmentsOf(group.engine, group.apps);
    }
  }

  private async endEnvironmentsOf(engine: ReviewAppEngine, apps: ReviewApp[]): Promise<void> {
    const ended = (app: ReviewApp) => isEnded(app.task) || this.announcedHere.has(app.task.arn);
    const live = new Set(apps.filter((app) => !ended(app)).map((app) => app.meta.mr));
    const mrs = new Set(
      apps
        .filter((app) => ended(app) && !engine.endedItsEnvironment(app))
        .map((app) => app.meta.mr),
    );
    await engine.environmentsEnded([...mrs].filter((mr) => !live.has(mr)));
  }

  /** Now and then, GitLab's available environments against the live apps (see the engine's). */
  private async reconcileEnvironments(apps: ReviewApp[]): Promise<void> {
    const { fleet, clock, logger } = this.options;
    const now = clock.now();
    if (now - this.environmentsCheckedAt < ENVIRONMENTS_CHECK_MS) return;
    this.environmentsCheckedAt = now;
    const live = apps.filter((app) => !isEnded(app.task) && !this.announcedHere.has(app.task.arn));
    // Every project, those without a live app too: theirs may still show one in GitLab.
    for (const project of fleet.projects) {
      const own = live.filter((app) => fleet.projectOf(app) === project);
      await project.engine.reconcileEnvironments(own).catch((error) => {
        // What is not done is still owed, and GitLab's list still says so: a minute from now.
        this.environmentsCheckedAt = now - ENVIRONMENTS_CHECK_MS + MINUTE;
        logger.warn('could not check the GitLab environments', { project: project.path, error });
      });
    }
  }

  /**
   * Now and then, and at recovery (after a crash), the load balancer keeps rules and
   * target groups only for apps whose task is not stopped, launching ones included.
   */
  private async sweepRoutes(apps: ReviewApp[], recovering: boolean): Promise<void> {
    const { fleet, clock, logger } = this.options;
    const now = clock.now();
    if (!recovering && now - this.routesSweptAt < ROUTES_SWEEP_MS) return;
    this.routesSweptAt = now;
    const live = apps.filter((app) => !isEnded(app.task) && !this.announcedHere.has(app.task.arn));
    const closed = [...this.closedMrs];
    try {
      // The load balancer is shared: one sweep knows every project's live apps.
      await fleet.projects[0]?.engine.sweepRoutes(
        live,
        closed.map(([, key]) => key),
        (ended) => this.closedSince(ended),
      );
      for (const [id] of closed) this.closedMrs.delete(id);
    } catch (error) {
      logger.warn('could not sweep the load balancer', { error });
    }
  }

  /**
   * Of apps whose name shows the ended page, those whose MR was merged or closed since:
   * one GitLab request per 100 MRs of each project (an app of a project the bot no longer
   * serves keeps its page until its day is over).
   */
  private async closedSince(ended: RoutedAppKey[]): Promise<RoutedAppKey[]> {
    const { fleet } = this.options;
    const byProject = new Map<string, RoutedAppKey[]>();
    for (const key of ended) {
      const group = byProject.get(key.project);
      if (group) group.push(key);
      else byProject.set(key.project, [key]);
    }
    const closed: RoutedAppKey[] = [];
    for (const [path, keys] of byProject) {
      const project = await fleet.project(path);
      if (!project) continue;
      const statuses = await project.engine.mergeRequestStatuses(keys.map((key) => key.mr));
      for (const status of statuses) {
        if (status.state === 'merged' || status.state === 'closed')
          closed.push({ project: path, mr: status.iid });
      }
    }
    return closed;
  }

  /** Remember a merged or closed MR for the next sweep. */
  private ended(app: ReviewApp, explanation: StopExplanation): void {
    if (explanation.kind === 'mr-merged' || explanation.kind === 'mr-closed') {
      const { project, mr } = app.meta;
      this.closedMrs.set(`${project}!${mr}`, { project, mr });
    }
  }

  /** Ask GitLab about the live apps' merge requests, on its own slower cadence. */
  private async follow(apps: ReviewApp[]): Promise<void> {
    const { fleet, clock, logger, notifier } = this.options;
    const settingsOf = (project: string) => this.options.follow?.(project) ?? DEFAULT_FOLLOW;
    const now = clock.now();
    // The cadence is shared by every project (REVIEW_APP_MR_CHECK_INTERVAL is one setting).
    if (now - this.followedAt < settingsOf(fleet.projects[0]?.path ?? '').checkEveryMs) return;
    this.followedAt = now;
    const live = apps.filter(
      (app) =>
        !isEnded(app.task) &&
        !fleet.isStarting(app.task.arn) &&
        !this.announcedHere.has(app.task.arn),
    );
    // One GitLab request per 100 apps of each project that has any, a few projects' at once:
    // one after another, a fleet's reads would keep the round waiting for each answer in turn.
    const groups = this.options.fleet.byEngine(live);
    const reads = await inBatches(groups, FOLLOW_READS_AT_ONCE, (group) =>
      readStatuses(group.engine, group.apps).then(
        (statuses) => ({ statuses }),
        (error: unknown) => ({ error }),
      ),
    );
    for (const [index, group] of groups.entries()) {
      const read = reads[index] as { statuses: MergeRequestStatus[] } | { error: unknown };
      try {
        if ('error' in read) throw read.error;
        await followStatuses(
          {
            engine: group.engine,
            logger,
            settings: settingsOf(group.project.path),
            stop: (app, reason) => this.stopAndAnnounce(app, reason),
            newCommit: (app, news) => notifier.newCommit(app, news),
          },
          group.apps,
          read.statuses,
        );
      } catch (error) {
        // GitLab being away must not hold up deadlines: the next check tries again.
        logger.warn('could not read the merge requests of running apps', {
          project: group.project.path,
          error,
        });
      }
    }
  }

  /**
   * Running apps launched before a restart and never reported, that `handleDeadlines`
   * adopts this round: their addresses are read together, not one EC2 call each.
   */
  private toAdopt(apps: ReviewApp[]): ReviewApp[] {
    const now = this.options.clock.now();
    return apps.filter((app) => this.adoptable(app, now));
  }

  /**
   * Launched before a restart and never reported (no URL in its tags), running, before its
   * deadline, and nobody in this process starting it: its address is worked out now.
   */
  private adoptable({ task, meta }: ReviewApp, now: number): boolean {
    return (
      !isEnded(task) &&
      task.lastStatus === 'RUNNING' &&
      !meta.url &&
      now < meta.softDeadline &&
      !this.options.fleet.isStarting(task.arn)
    );
  }

  /** Everything one app needs this round; the app when its countdown may be refreshed. */
  private async look(
    app: ReviewApp,
    addresses: Map<string, TaskAddress>,
  ): Promise<ReviewApp | undefined> {
    const { fleet } = this.options;
    const engine = fleet.engineOf(app);
    const arn = app.task.arn;
    if (isEnded(app.task)) {
      this.forget(arn);
      if (!app.meta.announced && !this.announcedHere.has(arn) && !fleet.endReportedByLaunch(arn)) {
        await this.announce(app, engine.explainStop(app.task, app.meta));
      }
      return undefined;
    }
    this.known.add(arn);
    this.lastSeen.set(arn, app);
    if (engine.isStarting(arn)) return undefined;
    const current = await this.handleDeadlines(app, addresses);
    return current &&
      current.task.lastStatus === 'RUNNING' &&
      current.meta.channel &&
      current.meta.statusTs
      ? current
      : undefined;
  }

  /**
   * Expire, warn, adopt or give up on one live app; the app as it stands
   * afterwards, or undefined when it needs nothing more this round.
   */
  private async handleDeadlines(
    app: ReviewApp,
    addresses: Map<string, TaskAddress>,
  ): Promise<ReviewApp | undefined> {
    const { clock, notifier, logger } = this.options;
    const engine = this.options.fleet.engineOf(app);
    const now = clock.now();
    const { meta, task } = app;
    if (now >= meta.softDeadline) {
      await this.stopAndAnnounce(app, stopReasonFor('expired'));
      return undefined;
    }
    if (task.lastStatus !== 'RUNNING') {
      // Nobody in this process is starting it (a crash mid-launch): give up once the launch timeout is past.
      if (engine.startedTooLongAgo(app)) {
        await this.stopAndAnnounce(app, stopReasonFor('timeout'));
      }
      return undefined;
    }
    if (this.adoptable(app, now)) {
      // Its countdown (with the URL) waits its turn in the update budget like any other,
      // first in line since it was never refreshed here.
      try {
        const adopted = await engine.withAddress(app, addresses.get(task.arn));
        this.updatedAt.delete(task.arn);
        return adopted;
      } catch (error) {
        logger.warn('could not adopt a running app', { mr: meta.mr, error });
        return undefined;
      }
    }
    if (!meta.warned && meta.softDeadline - now <= this.warnBeforeMs) {
      const warned = await engine.updateMeta(app, { warned: true });
      const warningTs = await notifier.warn(warned);
      if (warningTs) return engine.updateMeta(warned, { warningTs });
      return warned;
    }
    return app;
  }

  /**
   * Stop an app the bot ends itself (deadline, launch timeout) and say why.
   * Announced is written first, so a restart does not repeat the notice; if
   * the tag cannot be written the app is stopped all the same (it costs
   * money), and this process remembers that it told the channel.
   */
  private async stopAndAnnounce(app: ReviewApp, reason: string): Promise<void> {
    const { logger, notifier } = this.options;
    const engine = this.options.fleet.engineOf(app);
    try {
      const marked = await engine.updateMeta(app, { announced: true }).catch((error) => {
        logger.warn('could not mark a review app as announced', { mr: app.meta.mr, error });
        return app;
      });
      this.announcedHere.add(app.task.arn);
      const stopped = await engine.stopApp(marked, reason);
      this.forget(app.task.arn);
      const explanation = engine.explainStop(stopped.task, stopped.meta);
      this.spent(await notifier.ended(stopped, explanation));
      await engine.noteEnded(stopped, explanation);
      this.ended(stopped, explanation);
    } catch (error) {
      logger.error('could not stop a review app', { mr: app.meta.mr, reason, error });
    }
  }

  private async announce(app: ReviewApp, explanation: StopExplanation): Promise<void> {
    const { notifier, logger } = this.options;
    const engine = this.options.fleet.engineOf(app);
    try {
      await engine.updateMeta(app, { announced: true });
    } catch (error) {
      // ECS forgets stopped tasks after about an hour; the notice still goes out once from here.
      logger.warn('could not mark a stopped app as announced', { mr: app.meta.mr, error });
    }
    this.spent(await notifier.ended(app, explanation));
    await engine.noteEnded(app, explanation);
    this.ended(app, explanation);
  }

  /**
   * Edits an end made: they go out whatever the budget says (an end must be told), and
   * count against it, so that countdowns wait their turn after a wave of ends.
   */
  private spent(edits: number): void {
    this.budget.spend(this.options.clock.now(), edits);
  }

  /** Refresh the countdowns that are due, oldest first, within the shared budget. */
  private async refreshCountdowns(apps: ReviewApp[]): Promise<void> {
    const { clock, notifier } = this.options;
    const now = clock.now();
    const due = apps
      .filter((app) => now - (this.updatedAt.get(app.task.arn) ?? 0) >= this.refreshMs)
      .sort(
        (a, b) => (this.updatedAt.get(a.task.arn) ?? 0) - (this.updatedAt.get(b.task.arn) ?? 0),
      );
    for (const app of due) {
      if (!this.budget.take(now)) break;
      const result = await notifier.countdown(app);
      if (typeof result === 'object') {
        this.budget.pause(now, result.retryAfterMs);
        break;
      }
      this.updatedAt.set(app.task.arn, now);
    }
  }

  private forget(arn: string): void {
    this.known.delete(arn);
    this.updatedAt.delete(arn);
    this.lastSeen.delete(arn);
  }

  /**
   * Apps seen running that ECS no longer knows (it forgets stopped tasks after about an
   * hour, e.g. while AWS calls kept failing): their threads must not say "running" forever.
   * A task never seen yet may just be slow to appear, so only seen ones count.
   */
  private async markLost(missing: string[]): Promise<void> {
    for (const arn of missing) {
      const app = this.lastSeen.get(arn);
      if (!app) continue;
      this.forget(arn);
      this.announcedHere.add(arn);
      // Neither how nor when it ended is known: no cost is shown rather than a wrong one.
      const { cpu: _cpu, memory: _memory, ...task } = app.task;
      const ended = { ...app, task: { ...task, lastStatus: 'STOPPED', desiredStatus: 'STOPPED' } };
      await this.options.notifier
        .ended(ended, LOST_EXPLANATION)
        .then((edits) => this.spent(edits))
        .catch((error) => this.options.logger.warn('could not report a lost app', { error }));
      await this.options.fleet.engineOf(ended).noteEnded(ended, LOST_EXPLANATION);
    }
  }
}
