import { randomUUID } from 'node:crypto';
import { AppAddresses } from './app-address.js';
import type { Clock } from './clock.js';
import { type CostEstimate, formatCost, totalCost } from './cost.js';
import { actorName, explainOwnStop, type StopExplanation, stopReasonFor } from './diagnosis.js';
import { ENDED_PAGE_MS, endedPageText } from './ended-page.js';
import { isReviewAppError, ReviewAppError } from './errors.js';
import { type HeadCommitImage, headCommitImage } from './head-commit.js';
import { resolveImage } from './image.js';
import { LaunchAdmission, type Prechecked } from './launch-admission.js';
import { type Logger, silentLogger } from './logger.js';
import { MergeRequestNote } from './mr-note.js';
import { parseMergeRequestReference } from './mr-reference.js';
import type {
  AppRouter,
  EnvironmentTracker,
  LogSource,
  MergeRequestNotes,
  MergeRequestSource,
  RoutedAppKey,
  TaskAddress,
  TaskPlatform,
  ThreadLinks,
} from './ports.js';
import { HEALTH_CHECKS_STATUS, waitForHealthyRoute } from './route-health.js';
import { scrubLine } from './scrub.js';
import type { EngineSettings } from './settings.js';
import { AppSurvey, type SurveyOptions } from './survey.js';
import { tagKey as metaToTagKey, metaToTags } from './tags.js';
import { waitForRunningTask } from './task-startup.js';
import {
  isEnded,
  type LaunchSource,
  type MergeRequest,
  type MergeRequestStatus,
  type MergeRequestSummary,
  type ReviewApp,
  type ReviewAppMeta,
  type TaskInfo,
} from './types.js';

export interface EngineDeps {
  settings: EngineSettings;
  gitlab: MergeRequestSource;
  platform: TaskPlatform;
  /** Where the app's output can be read back (CloudWatch Logs), if anywhere. */
  logs?: LogSource;
  /** GitLab environments that show the app's URL, when turned on. */
  environments?: EnvironmentTracker;
  /** The one note on the MR that shows its app, when turned on. */
  notes?: MergeRequestNotes;
  /** Links to the apps' Slack threads, for the MR's note. */
  threadLinks?: ThreadLinks;
  /** The shared load balancer that gives running apps a stable HTTPS name, when set up. */
  router?: AppRouter;
  /**
   * Whether a project (as tags name it) is another of the bot's, when it serves several:
   * MAX_APPS_PER_USER is one limit across them (MAX_RUNNING_APPS is each project's), and
   * a launch counts the requester's apps there from its own reading of the cluster.
   */
  peers?: (project: string) => boolean;
  clock: Clock;
  logger?: Logger;
}

export type LaunchProgress =
  | { stage: 'merge-request'; mr: MergeRequest }
  | { stage: 'image'; image: string }
  | { stage: 'task-definition'; arn: string; reused: boolean }
  /** The MR's running app was stopped, to be replaced by the one starting. */
  | { stage: 'replaced'; app: ReviewApp }
  | { stage: 'started'; app: ReviewApp };

export interface SlackPlace {
  channel: string;
  thread?: string;
  statusTs?: string;
}

export interface LaunchRequest {
  mr: number;
  /** Who asked: a Slack user id or a CI/terminal user name. */
  requester: string;
  source: LaunchSource;
  /**
   * Where the app is told in Slack. A promise when its messages are still being posted:
   * awaited just before RunTask, so a failure there starts nothing.
   */
  slack?: SlackPlace | Promise<SlackPlace>;
  /** Stop the MR's running app first (relaunch). */
  replace?: boolean;
  /** The CI pipeline this launch runs in (CI_PIPELINE_ID), if any. */
  ownPipelineId?: number;
  /** What `precheck` read moments ago for this launch: not read from GitLab and ECS again. */
  prechecked?: Prechecked;
  onProgress?: (progress: LaunchProgress) => void;
}

/**
 * The launch engine: merge request → built image → Fargate task with a hard
 * lifetime. Used by the CLI and by the Slack bot alike; it holds no state of
 * its own beyond in-flight launches, since everything lives in task tags.
 */
export class ReviewAppEngine {
  private readonly config: EngineSettings;
  private readonly gitlab: MergeRequestSource;
  private readonly platform: TaskPlatform;
  private readonly logs: LogSource | undefined;
  private readonly environments: EnvironmentTracker | undefined;
  private readonly router: AppRouter | undefined;
  /** MRs whose environment GitLab would not stop when their app was stopped. */
  private readonly environmentsLeft = new Set<number>();
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly inFlight = new Map<number, Promise<unknown>>();
  private readonly admission: LaunchAdmission;
  /** Whether the bot serves several projects (it has peers): the ended page names the project. */
  private readonly several: boolean;
  private readonly apps: AppSurvey;
  private readonly addresses: AppAddresses;
  private readonly note: MergeRequestNote;
  /** Tasks started since the watcher last looked, so that it sees them even if they stop at once. */
  private launched: string[] = [];
  /** Tasks someone in this process is waiting on (launch flows); the watcher leaves them alone. */
  private readonly starting = new Set<string>();
  /** Tasks that ended while starting, whose end their launch reports (see `endReportedByLaunch`). */
  private readonly endedStarting = new Set<string>();

  constructor(deps: EngineDeps) {
    this.config = deps.settings;
    this.gitlab = deps.gitlab;
    this.platform = deps.platform;
    this.logs = deps.logs;
    this.environments = deps.environments;
    this.router = deps.router;
    this.clock = deps.clock;
    this.logger = deps.logger ?? silentLogger;
    this.several = deps.peers !== undefined;
    this.admission = new LaunchAdmission({
      limits: deps.settings.limits,
      clock: deps.clock,
      openMergeRequest: (iid) => this.openMergeRequest(iid),
      apps: (known) => this.survey({ known, ...(deps.peers ? { others: deps.peers } : {}) }),
      warmUp: () => {
        if (!this.config.image.imageTemplate) this.gitlab.prepareImageLookup?.().catch(() => {});
      },
    });
    this.apps = new AppSurvey(
      (options) => deps.platform.listTasks(options),
      async () => {
        const project = await this.projectPath();
        return (path) => path === project;
      },
    );
    this.addresses = new AppAddresses({
      platform: deps.platform,
      environments: deps.environments,
      router: deps.router,
      settings: deps.settings,
      logger: this.logger,
    });
    this.note = new MergeRequestNote({
      notes: deps.notes,
      threadLinks: deps.threadLinks,
      logger: this.logger,
      remember: (app, patch) => this.updateMeta(app, patch),
    });
  }

  /** GitLab's base URL, for reading MR URLs. */
  get gitlabUrl(): string {
    return this.config.gitlab.url;
  }

  /**
   * The platform's listing of the bot's tasks, whatever their project: a fleet of projects
   * sharing the cluster reads it once for all of them.
   */
  listTasks(options: Parameters<TaskPlatform['listTasks']>[0]): Promise<TaskInfo[]> {
    return this.platform.listTasks(options);
  }

  /** The project's path (acme/shop): what review apps are tagged and found by. */
  projectPath(): Promise<string> {
    return this.gitlab.projectPath();
  }

  /** The merge request's page in GitLab, from what an app's tags know. */
  mergeRequestUrl(meta: Pick<ReviewAppMeta, 'project' | 'mr'>): string {
    return `${this.config.gitlab.url.replace(/\/+$/, '')}/${meta.project}/-/merge_requests/${meta.mr}`;
  }

  /** `42`, `!42` or an MR URL of this project (only a URL needs the project's path). */
  async parseReference(text: string): Promise<number> {
    const isUrl = /^\s*https?:\/\//i.test(text);
    return parseMergeRequestReference(text, {
      gitlabUrl: this.config.gitlab.url,
      path: isUrl ? await this.projectPath() : this.config.gitlab.project,
    });
  }

  /** The merge request, if it is open; a clear error otherwise. */
  async openMergeRequest(iid: number): Promise<MergeRequest> {
    const mr = await this.gitlab.getMergeRequest(iid);
    if (mr.state !== 'opened') {
      throw new ReviewAppError(
        'MR_NOT_OPEN',
        `!${iid} is ${mr.state === 'locked' ? 'locked' : mr.state}; only open merge requests can be launched.`,
        { mr },
      );
    }
    return mr;
  }

  /** State and head commit of these merge requests, one GitLab request per 100. */
  mergeRequestStatuses(iids: number[]): Promise<MergeRequestStatus[]> {
    return iids.length === 0 ? Promise.resolve([]) : this.gitlab.mergeRequestStatuses(iids);
  }

  /** Where the MR's current head commit stands on its way to a review app (see head-commit.ts). */
  headCommitImage(iid: number): Promise<HeadCommitImage> {
    return headCommitImage(this.gitlab, this.config.image, iid);
  }

  /** Open merge requests matching a number or words of the title, for pickers. */
  searchOpenMergeRequests(query: string, limit = 50): Promise<MergeRequestSummary[]> {
    return this.gitlab.searchOpenMergeRequests(query, limit);
  }

  /** Launch a review app for a merge request (the task is starting when this returns). */
  async launch(request: LaunchRequest): Promise<ReviewApp> {
    return this.exclusive(request.mr, (waited) =>
      // A launch that had to wait for another of the same MR never replaces what that one started.
      // Nor does it trust a reading made before that one finished.
      this.launchNow(waited ? { ...request, replace: false, prechecked: undefined } : request),
    );
  }

  /** Run `work` alone for this MR; concurrent launches and stops of one MR queue up. */
  private async exclusive<T>(mr: number, work: (waited: boolean) => Promise<T>): Promise<T> {
    const previous = this.inFlight.get(mr);
    const run = (async () => {
      if (previous) await previous.catch(() => {});
      return work(previous !== undefined);
    })();
    this.inFlight.set(mr, run);
    try {
      return await run;
    } finally {
      if (this.inFlight.get(mr) === run) this.inFlight.delete(mr);
    }
  }

  /**
   * Everything that can refuse a launch before anything is started: the MR
   * must be open, not running already (unless replaced), and within limits.
   * Pass `prechecked` on to `launch` so that it reads nothing twice.
   */
  async precheck(
    request: Pick<LaunchRequest, 'mr' | 'requester' | 'replace'>,
  ): Promise<{ mr: MergeRequest; existing?: ReviewApp; prechecked: Prechecked }> {
    const { release, ...result } = await this.admission.checkAndReserve(request, { shared: true });
    release();
    return result;
  }

  private async launchNow(request: LaunchRequest): Promise<ReviewApp> {
    const { mr, existing, release } = await this.admission.checkAndReserve(request);
    try {
      const app = await this.startTask(request, mr, existing);
      release(app.task.arn);
      return app;
    } catch (error) {
      release();
      throw error;
    }
  }

  private async startTask(
    request: LaunchRequest,
    mr: MergeRequest,
    existing: ReviewApp | undefined,
  ): Promise<ReviewApp> {
    request.onProgress?.({ stage: 'merge-request', mr });
    // Read alongside the image and definition: it needs ECS only when no app is replaced.
    const carriedNote = this.noteToCarryOn(mr.iid, existing);

    const image = await resolveImage(this.gitlab, this.config.image, mr, request.ownPipelineId);
    request.onProgress?.({ stage: 'image', image });
    const definition = await this.platform.prepareTaskDefinition(image);
    request.onProgress?.({
      stage: 'task-definition',
      arn: definition.arn,
      reused: definition.reused,
    });

    const slack = await request.slack;
    const project = await this.projectPath();
    // Refused before anything starts or stops: a full load balancer could not name the app.
    await this.router?.admit({ project, mr: mr.iid });
    if (existing) {
      await this.stopApp(
        existing,
        stopReasonFor('relaunched', actorName(request.requester, request.source)),
      );
      request.onProgress?.({ stage: 'replaced', app: existing });
    }

    const noteId = await carriedNote;
    const now = this.clock.now();
    const { ttlMs, maxLifetimeMs } = this.config.lifetime;
    const meta: ReviewAppMeta = {
      project,
      mr: mr.iid,
      title: mr.title,
      branch: mr.sourceBranch,
      sha: mr.sha,
      image,
      requester: request.requester,
      source: request.source,
      launchedAt: now,
      softDeadline: now + ttlMs,
      hardDeadline: now + maxLifetimeMs,
      ...(slack?.channel ? { channel: slack.channel } : {}),
      ...(slack?.thread ? { thread: slack.thread } : {}),
      ...(slack?.statusTs ? { statusTs: slack.statusTs } : {}),
      ...(definition.port ? { port: definition.port } : {}),
      ...(noteId ? { noteId } : {}),
    };
    const task = await this.platform.runTask(definition.arn, {
      image,
      tags: metaToTags(meta),
      clientToken: randomUUID(),
    });
    const app: ReviewApp = { task, meta };
    this.admission.started(mr.iid);
    this.launched.push(task.arn);
    this.logger.info('review app started', {
      mr: mr.iid,
      task: task.arn,
      image,
      requester: request.requester,
    });
    request.onProgress?.({ stage: 'started', app });
    return app;
  }

  /**
   * The MR's note a new app takes over: the replaced app's, or the newest ended app's
   * (a relaunch from the end notice), so that one MR keeps one note.
   */
  private async noteToCarryOn(
    mr: number,
    existing: ReviewApp | undefined,
  ): Promise<number | undefined> {
    if (!this.note.enabled) return undefined;
    if (existing) return existing.meta.noteId;
    // ECS keeps stopped tasks for about an hour; past that, a new note is written.
    return (await this.latest(mr).catch(() => undefined))?.meta.noteId;
  }

  /**
   * Wait until the task runs and has an address. A task that stops while
   * starting is explained; one that takes longer than the launch timeout is
   * stopped, so that nothing is left half-started.
   */
  async waitUntilRunning(
    app: ReviewApp,
    options: { onStatus?: (status: string) => void; signal?: AbortSignal } = {},
  ): Promise<ReviewApp> {
    this.starting.add(app.task.arn);
    try {
      const task = await waitForRunningTask(
        { platform: this.platform, clock: this.clock, lifetime: this.config.lifetime },
        app.task.arn,
        options,
      );
      if (!this.router) return await this.withAddress({ ...app, task });
      return await this.routeWhenHealthy({ ...app, task }, options);
    } catch (error) {
      this.admission.settle(app.task.arn);
      this.endedStarting.add(app.task.arn);
      // The caller reports this end itself: the watcher must not announce it again.
      await this.updateMeta(app, { announced: true }).catch(() => {});
      // A relaunch carried the MR's note on: it must not keep showing the replaced app.
      if (app.meta.noteId) await this.noteEnded(app, this.launchFailure(error));
      if (!isReviewAppError(error, 'TASK_STOPPED') && !isReviewAppError(error, 'LAUNCH_TIMEOUT')) {
        // Whatever went wrong, a launch that failed leaves nothing running.
        await this.platform.stopTask(app.task.arn, stopReasonFor('failed')).catch((stopError) =>
          this.logger.error('could not stop a task whose launch failed', {
            task: app.task.arn,
            error: stopError,
          }),
        );
      }
      throw error;
    } finally {
      this.starting.delete(app.task.arn);
    }
  }

  /**
   * Give the running app its name on the load balancer and wait for the health checks
   * (within the launch timeout), so that the link posted opens the app.
   */
  private async routeWhenHealthy(
    app: ReviewApp,
    options: { onStatus?: (status: string) => void; signal?: AbortSignal },
  ): Promise<ReviewApp> {
    const router = this.router as AppRouter;
    const address = (await this.addressesOf([app.task])).get(app.task.arn) ?? {};
    const routed = this.addresses.routed(app, address.privateIp);
    const { url } = await router.route(routed);
    options.onStatus?.(HEALTH_CHECKS_STATUS);
    const { launchTimeoutMs } = this.config.lifetime;
    await waitForHealthyRoute({ router, clock: this.clock }, routed, app.task, {
      deadline: app.meta.launchedAt + launchTimeoutMs,
      timeoutMs: launchTimeoutMs,
      signal: options.signal,
    });
    return this.note.running(await this.addresses.withAddress(app, address, url));
  }

  /** The tasks started since the last call. */
  drainLaunched(): string[] {
    const arns = this.launched;
    this.launched = [];
    return arns;
  }

  isStarting(arn: string): boolean {
    return this.starting.has(arn);
  }

  /**
   * Whether an ended task's end is its launch's to report: it is still being waited on, or
   * it ended while starting. The watcher may have read its tags before the launch marked
   * it announced; it asks once per task, which is then forgotten here.
   */
  endReportedByLaunch(arn: string): boolean {
    return this.starting.has(arn) || this.endedStarting.delete(arn);
  }

  /**
   * Work out a running app's URL and remember it (see app-address.ts), and show it in the
   * MR's note; `known`: its addresses.
   */
  async withAddress(app: ReviewApp, known?: TaskAddress): Promise<ReviewApp> {
    return this.note.running(await this.addresses.withAddress(app, known));
  }

  /**
   * The app has ended: the MR's note says so (when notes are on), and its name answers a
   * short page saying why for a day; never throws.
   */
  async noteEnded(app: ReviewApp, explanation: StopExplanation): Promise<void> {
    await this.note.ended(app, explanation);
    await this.routeEnded(app, explanation);
  }

  private async routeEnded(app: ReviewApp, explanation: StopExplanation): Promise<void> {
    // A relaunch keeps the name for the app that replaces it.
    if (!this.router || explanation.kind === 'relaunched') return;
    const now = this.clock.now();
    const endedAt = app.task.stoppedAt ?? now;
    await this.router
      .ended(
        { project: app.meta.project, mr: app.meta.mr },
        {
          text: endedPageText(
            app.meta.mr,
            explanation,
            endedAt,
            this.several ? app.meta.project : undefined,
          ),
          until: now + ENDED_PAGE_MS,
        },
      )
      .catch((error) =>
        this.logger.warn('could not put up the ended page on the load balancer', {
          mr: app.meta.mr,
          error,
        }),
      );
  }

  /**
   * Remove the load balancer's rules and target groups whose app is gone: `live` are the
   * apps whose task is not stopped (of every project: the load balancer is shared), `closed`
   * the merged or closed MRs. Nothing without one.
   */
  async sweepRoutes(
    live: ReviewApp[],
    closed: RoutedAppKey[] = [],
    closedOf?: (ended: RoutedAppKey[]) => Promise<RoutedAppKey[]>,
  ): Promise<number> {
    if (!this.router) return 0;
    const { removed } = await this.router.sweep(
      {
        live: live.map((app) => ({ project: app.meta.project, mr: app.meta.mr })),
        closed,
        ...(closedOf ? { closedOf } : {}),
      },
      this.clock.now(),
    );
    return removed;
  }

  private launchFailure(error: unknown): StopExplanation {
    if (isReviewAppError(error, 'TASK_STOPPED')) return error.details.explanation;
    const kind = isReviewAppError(error, 'LAUNCH_TIMEOUT') ? 'timeout' : 'failed';
    return (
      explainOwnStop(stopReasonFor(kind)) ?? {
        kind: 'failed-to-start',
        summary: 'The launch failed.',
        unexpected: true,
      }
    );
  }

  /** The addresses of running apps' tasks, read together; private ones when public ones fail. */
  addressesOf(tasks: TaskInfo[]): Promise<Map<string, TaskAddress>> {
    return this.addresses.addressesOf(tasks);
  }

  /** Why an app's task stopped, in words a reviewer understands. */
  explainStop(
    task: TaskInfo,
    meta?: Pick<ReviewAppMeta, 'hardDeadline' | 'image'>,
  ): StopExplanation {
    return this.platform.explainStop(
      task,
      meta ? { hardDeadline: meta.hardDeadline, image: meta.image } : undefined,
    );
  }

  /** What an app has cost so far, for people ("$0.012"), when the platform can say. */
  costOf(app: ReviewApp): string | undefined {
    return formatCost(this.estimate(app));
  }

  /** What several apps have cost together so far. */
  totalCostOf(apps: ReviewApp[]): string | undefined {
    return formatCost(totalCost(apps.map((app) => this.estimate(app))));
  }

  private estimate(app: ReviewApp): CostEstimate | undefined {
    return this.platform.estimateCost(app.task, app.meta.launchedAt, this.clock.now());
  }

  /** Whether a task has been starting for longer than a launch may take. */
  startedTooLongAgo(app: ReviewApp): boolean {
    return this.clock.now() - app.meta.launchedAt > this.config.lifetime.launchTimeoutMs;
  }

  /** Running review apps of this project, from ECS. */
  async list(): Promise<ReviewApp[]> {
    return (await this.snapshot()).filter((app) => !isEnded(app.task));
  }

  /**
   * This project's review apps as ECS sees them now: the running ones, the
   * `known` ones whatever their state, and (when asked) recently stopped ones.
   */
  async snapshot(options: SurveyOptions = {}): Promise<ReviewApp[]> {
    return (await this.survey(options)).apps;
  }

  /** A snapshot that also names the `known` tasks ECS no longer has (see survey.ts). */
  survey(
    options: SurveyOptions = {},
  ): Promise<{ apps: ReviewApp[]; missing: string[]; others: ReviewApp[] }> {
    return this.apps.survey(options);
  }

  /**
   * The last lines the app printed, with anything like a credential hidden;
   * undefined when its container logs nowhere the bot can read.
   */
  async recentLogs(app: Pick<ReviewApp, 'task'>, limit = 20): Promise<string[] | undefined> {
    if (!this.logs) return undefined;
    const lines = await this.logs.recentLines(app.task, limit);
    return lines?.map((line) => scrubLine(line));
  }

  /** The MR's newest review app, running or recently stopped (ECS keeps stopped tasks about an hour). */
  async latest(mr: number): Promise<ReviewApp | undefined> {
    const newest = (apps: ReviewApp[]) =>
      apps
        .filter((app) => app.meta.mr === mr)
        .sort((a, b) => b.meta.launchedAt - a.meta.launchedAt)[0];
    // A running app is newer than any stopped one: the stopped tasks are read only without it.
    return (await this.list().then(newest)) ?? newest(await this.snapshot({ onlyStopped: true }));
  }

  async findRunning(mr: number): Promise<ReviewApp | undefined> {
    return (await this.list()).find((app) => app.meta.mr === mr);
  }

  /**
   * Stop the MR's running review app, saying who stopped it. Queued behind a
   * launch of the same MR, so a Stop clicked during a Relaunch wins. With
   * `announced`, the caller reports the stop itself and the watcher stays quiet.
   */
  async stop(mr: number, by: string, options: { announced?: boolean } = {}): Promise<ReviewApp> {
    const outcome = await this.stopIf(mr, by, () => true, options);
    return 'stopped' in outcome ? outcome.stopped : outcome.declined;
  }

  /**
   * `stop`, once `confirm` agrees on the app found under the lock; otherwise that
   * app, left running. The caller's question ("someone else's app: stop it anyway?")
   * is asked of the very reading the stop acts on, so ECS is read once.
   */
  async stopIf(
    mr: number,
    by: string,
    confirm: (app: ReviewApp) => boolean,
    options: { announced?: boolean } = {},
  ): Promise<{ stopped: ReviewApp } | { declined: ReviewApp }> {
    return this.exclusive(mr, async () => {
      const found = await this.findRunning(mr);
      if (!found) throw new ReviewAppError('NOT_RUNNING', `!${mr} has no review app running.`);
      if (!confirm(found)) return { declined: found };
      const app = options.announced ? await this.updateMeta(found, { announced: true }) : found;
      const stopped = await this.stopApp(app, stopReasonFor('stopped', by));
      // The MR runs no other app now: its environment ends here, also where no watcher runs (the CLI).
      await this.environmentsEnded([mr]);
      await this.noteEnded(stopped, this.explainStop(stopped.task, stopped.meta));
      return { stopped };
    });
  }

  async stopApp(app: ReviewApp, reason: string): Promise<ReviewApp> {
    const task = await this.platform.stopTask(app.task.arn, reason);
    this.admission.settle(app.task.arn);
    this.logger.info('review app stopped', { mr: app.meta.mr, task: app.task.arn, reason });
    return { ...app, task };
  }

  /** Move the soft deadline by the TTL, never past the hard cap. */
  async extend(mr: number): Promise<{ app: ReviewApp; capped: boolean }> {
    const app = await this.findRunning(mr);
    if (!app) throw new ReviewAppError('NOT_RUNNING', `!${mr} has no review app running.`);
    const { meta } = app;
    if (meta.softDeadline >= meta.hardDeadline) {
      throw new ReviewAppError(
        'CAP_REACHED',
        `!${mr} already runs until its maximum lifetime and cannot be extended further.`,
        { app },
      );
    }
    const base = Math.max(meta.softDeadline, this.clock.now());
    const softDeadline = Math.min(base + this.config.lifetime.ttlMs, meta.hardDeadline);
    const updated = await this.note.running(
      await this.updateMeta(app, { softDeadline, warned: false }),
    );
    return { app: updated, capped: softDeadline >= meta.hardDeadline };
  }

  /** Change what the task's tags say about the app (deadline, Slack message, flags). */
  async updateMeta(app: ReviewApp, patch: Partial<ReviewAppMeta>): Promise<ReviewApp> {
    const tags = metaToTags(patch);
    // A flag set back to false is written as an empty value, which reads as unset.
    for (const [field, value] of Object.entries(patch)) {
      if (value === false)
        tags.push({ key: metaToTagKey(field as keyof ReviewAppMeta), value: '' });
    }
    if (tags.length > 0) await this.platform.tagTask(app.task.arn, tags);
    return { ...app, meta: { ...app.meta, ...patch } };
  }

  /**
   * Whether the app's end has ended its MR's environment already: a person's stop does
   * (`stop`, whichever process made it), so the watcher need not ask GitLab again.
   */
  endedItsEnvironment(app: ReviewApp): boolean {
    return (
      explainOwnStop(app.task.stoppedReason)?.kind === 'stopped-by-user' &&
      !this.environmentsLeft.has(app.meta.mr)
    );
  }

  /**
   * The MRs' apps have ended: their GitLab environments are stopped (when turned on).
   * One GitLab would not stop is remembered, so that the watcher tries it again.
   */
  async environmentsEnded(mrs: number[]): Promise<void> {
    if (!this.environments) return;
    for (const mr of mrs) {
      try {
        await this.environments.stop(mr);
        this.environmentsLeft.delete(mr);
      } catch (error) {
        this.environmentsLeft.add(mr);
        this.logger.warn('could not stop the GitLab environment', { mr, error });
      }
    }
  }

  /**
   * GitLab's available review environments are what is owed to it, also after a restart or
   * a stop GitLab refused: those of MRs with no live app are stopped, and a live app whose
   * environment is not available (a show that failed, a team's on_stop job) is shown again.
   */
  async reconcileEnvironments(live: ReviewApp[]): Promise<void> {
    if (!this.environments) return;
    const available = new Set(await this.environments.available());
    const liveMrs = new Set(live.map((app) => app.meta.mr));
    await this.environmentsEnded([...available].filter((mr) => !liveMrs.has(mr)));
    for (const app of live) {
      const { mr, url, sha, branch } = app.meta;
      if (!url || available.has(mr)) continue;
      available.add(mr);
      await this.environments
        .show({ mr, url, sha, branch })
        .catch((error) =>
          this.logger.warn('could not show the app as a GitLab environment', { mr, error }),
        );
    }
  }

  /** Deregister review revisions that no running app uses. */
  async cleanUp(): Promise<number> {
    const tasks = await this.platform.listTasks();
    const inUse = new Set(tasks.map((t) => t.taskDefinitionArn).filter((a): a is string => !!a));
    return this.platform.cleanUpTaskDefinitions(inUse);
  }
}
