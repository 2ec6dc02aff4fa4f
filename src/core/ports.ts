import type { CostEstimate } from './cost.js';
import type { StopExplanation } from './diagnosis.js';
import type { MergeRequest, MergeRequestStatus, MergeRequestSummary, TaskInfo } from './types.js';

/**
 * What the engine needs from GitLab and from AWS. The engine (core/) never
 * imports an SDK; gitlab/ and aws/ implement these with the real clients.
 */
export interface MergeRequestSource {
  /** Throws ReviewAppError MR_NOT_FOUND, GITLAB_UNAUTHORIZED or GITLAB_UNAVAILABLE. */
  getMergeRequest(iid: number): Promise<MergeRequest>;
  /**
   * The state and head commit of these merge requests, whatever their state,
   * one request per 100; MRs GitLab does not know are left out.
   */
  mergeRequestStatuses(iids: number[]): Promise<MergeRequestStatus[]>;
  /** Open merge requests whose number or title matches `query` (all open ones when empty). */
  searchOpenMergeRequests(query: string, limit: number): Promise<MergeRequestSummary[]>;
  /** The project's path with namespace (acme/shop), also when it is configured by numeric id. */
  projectPath(): Promise<string>;
  /**
   * The first of `tags` found in the project's registry repository, with its image reference;
   * for an MR from a fork, in the fork's registry, then the project's (a pipeline run in the
   * project for the fork's MR pushes there); GITLAB_UNAUTHORIZED when the fork's cannot be
   * read and the project's has none.
   */
  findImageTag(
    tags: string[],
    options?: { forkProjectId?: number },
  ): Promise<{ tag: string; location: string } | undefined>;
  /** Read ahead what `findImageTag` needs before any tag is known (the registry repository). */
  prepareImageLookup?(): Promise<void>;
}

export interface LaunchSpec {
  image: string;
  tags: { key: string; value: string }[];
  /** Idempotency token: a retried RunTask with the same token starts no second task. */
  clientToken: string;
}

export interface PreparedTaskDefinition {
  arn: string;
  /** Container port of the app container, when the definition maps one. */
  port?: number;
  reused: boolean;
}

/** Where a running task can be reached. */
export interface TaskAddress {
  privateIp?: string;
  publicIp?: string;
}

/** What the engine knows of an app that helps explain its end. */
export interface StopContextOfApp {
  hardDeadline?: number;
  image?: string;
}

export interface TaskPlatform {
  /** A task definition revision that runs `image` with the lifetime guard, registered or reused. */
  prepareTaskDefinition(image: string): Promise<PreparedTaskDefinition>;
  runTask(taskDefinitionArn: string, spec: LaunchSpec): Promise<TaskInfo>;
  /** These tasks with their tags, as many to a call as the platform allows. */
  describeTasks(arns: string[]): Promise<TaskInfo[]>;
  /**
   * The bot's tasks with their tags, each described once: every running one, the `known`
   * ones whatever their state, and (with `includeStopped`) recently stopped ones; with
   * `onlyStopped`, the recently stopped ones alone (the running ones are known already).
   */
  listTasks(options?: {
    known?: string[];
    includeStopped?: boolean;
    onlyStopped?: boolean;
  }): Promise<TaskInfo[]>;
  stopTask(arn: string, reason: string): Promise<TaskInfo>;
  tagTask(arn: string, tags: { key: string; value: string }[]): Promise<void>;
  /**
   * Where running tasks can be reached, by ARN: each one's private address, and
   * its public one when the platform gives it one, with as few calls as the
   * platform allows (one task at launch, hundreds when adopting after a
   * restart). May throw when the public addresses cannot be read; the private
   * ones then serve.
   */
  addresses(tasks: TaskInfo[]): Promise<Map<string, TaskAddress>>;
  /** Why a stopped task stopped, in words a reviewer understands; `app` tells what the tags know. */
  explainStop(task: TaskInfo, app?: StopContextOfApp): StopExplanation;
  /** What the task has cost so far (`since`: when it was launched, should the platform not say). */
  estimateCost(task: TaskInfo, since: number, now: number): CostEstimate | undefined;
  /** Deregister review revisions that no running task uses; returns how many. */
  cleanUpTaskDefinitions(inUse: Set<string>): Promise<number>;
}

/** Where the app container's output can be read back, when the platform keeps it. */
export interface LogSource {
  /** The last `limit` lines, oldest first; undefined when the container logs nowhere readable. */
  recentLines(task: TaskInfo, limit: number): Promise<string[] | undefined>;
}

/** What a GitLab environment shows of a running app. */
export interface ShownApp {
  mr: number;
  url: string;
  /** The commit and branch it runs: a stopped environment comes back with a deployment of them. */
  sha: string;
  branch: string;
}

/** The app as the merge request's environment on the GitLab side, when turned on. */
export interface EnvironmentTracker {
  /** Show the MR's environment as available at the app's URL (created, or brought back). */
  show(app: ShownApp): Promise<void>;
  /** Mark the MR's environment stopped, if it is available. */
  stop(mr: number): Promise<void>;
  /** The MRs whose environment is available, whatever runs: the reconcile's truth. */
  available(): Promise<number[]>;
}

/** One note on the merge request that shows its app, when turned on (GITLAB_MR_NOTES). */
export interface MergeRequestNotes {
  /**
   * Write `body` as the MR's note: edit note `noteId` in place, or create the note when there
   * is none yet (or someone deleted it). Returns the id of the note now holding `body`.
   */
  write(mr: number, noteId: number | undefined, body: string): Promise<number>;
}

/** Links to where an app is told in chat, for readers elsewhere (the MR's note). */
export interface ThreadLinks {
  /** A link that opens the thread; undefined when the chat cannot give one. */
  link(channel: string, thread: string): Promise<string | undefined>;
}

/** Which app a route belongs to: one per project and merge request, across relaunches. */
export interface RoutedAppKey {
  project: string;
  mr: number;
}

/** A running app as the router needs it: its task and where the task listens. */
export interface RoutedApp extends RoutedAppKey {
  taskArn: string;
  /** The task's private IP (the load balancer reaches it inside the VPC). */
  ip: string;
  port: number;
}

/** What the load balancer's health checks say of an app's target. */
export interface RouteHealth {
  state: 'initial' | 'healthy' | 'unhealthy' | 'draining' | 'unused' | 'missing';
  /** The load balancer's reason code (`Target.ResponseCodeMismatch`…), when not healthy. */
  reason?: string;
  /** The load balancer's words for it ("Health checks failed with these codes: [502]"). */
  description?: string;
}

/** How much of the load balancer's fixed capacity is taken, and by how many of the bot's apps. */
export interface RouteRoom {
  rules: { used: number; max: number };
  targetGroups: { used: number; max: number };
  /** Rules one new app takes (more than one when the allowed networks need several). */
  rulesPerApp: number;
}

/**
 * Gives running apps a stable address people can open (one shared load balancer:
 * a host name per MR that survives relaunches), shows a page when an app has ended,
 * and removes what no app uses. Whatever it creates carries the app's project and MR,
 * so a bot that was down finds it again.
 */
export interface AppRouter {
  /**
   * Throws ReviewAppError ROUTES_FULL when a new app would not fit (rules or target
   * groups of the load balancer); an app that already has its route always fits.
   */
  admit(app: RoutedAppKey): Promise<void>;
  /**
   * Give a running app its name: create or reuse its target group and rule(s), put
   * `ip:port` in place of any earlier task's target, and return the URL. Safe to call
   * again for the same task (nothing changes).
   */
  route(app: RoutedApp): Promise<{ url: string }>;
  /** Whether the app's target passes the health checks yet, and the load balancer's reason if not. */
  health(app: RoutedApp): Promise<RouteHealth>;
  /**
   * The app ended: its name answers `page.text` (plain text, at most 1,024 characters)
   * until `page.until` (epoch ms), its target group goes. Nothing happens without a route.
   */
  ended(app: RoutedAppKey, page: { text: string; until: number }): Promise<void>;
  /**
   * Remove every rule and target group the bot made whose app is not in `live`
   * (tasks not stopped, launching ones included) and whose ended page is past its time
   * or whose MR is `closed`; rules before the target groups they use.
   */
  sweep(
    apps: {
      live: RoutedAppKey[];
      closed?: RoutedAppKey[];
      /**
       * Of the apps whose name still shows the ended page, those whose MR was merged or
       * closed since (asked of GitLab by the caller, batched per project).
       */
      closedOf?: (ended: RoutedAppKey[]) => Promise<RoutedAppKey[]>;
    },
    now: number,
  ): Promise<{ removed: number }>;
  /** How full the load balancer is (for doctor and for the launch limits). */
  room(): Promise<RouteRoom>;
}
