/** Domain types shared by every layer. No SDK types here. */

export type MergeRequestState = 'opened' | 'closed' | 'locked' | 'merged';

export interface Pipeline {
  id: number;
  status: string;
  /** The commit the pipeline built: a merge commit for merged-results pipelines and merge trains. */
  sha?: string;
  webUrl?: string;
}

export interface MergeRequest {
  iid: number;
  title: string;
  state: MergeRequestState | string;
  webUrl: string;
  sourceBranch: string;
  sha: string;
  author?: { username: string; name: string };
  headPipeline: Pipeline | null;
  /** Set when the MR comes from a fork: the project its branch (and its images) live in. */
  forkProjectId?: number;
}

/** What the watcher needs to follow a running app's merge request; read in batches. */
export interface MergeRequestStatus {
  iid: number;
  state: MergeRequestState | string;
  sha: string;
  /** The name of who merged or closed it, when GitLab says. */
  mergedBy?: string;
  closedBy?: string;
}

export interface MergeRequestSummary {
  iid: number;
  title: string;
  sourceBranch: string;
  webUrl: string;
}

/** Where a launch was asked for; Slack launches also know their thread. */
export type LaunchSource = 'slack' | 'cli';

/** What the bot writes into a task's tags and reads back after a restart. */
export interface ReviewAppMeta {
  project: string;
  mr: number;
  title: string;
  branch: string;
  sha: string;
  image: string;
  requester: string;
  source: LaunchSource;
  /** Slack channel and the parent message's ts (the thread). */
  channel?: string;
  thread?: string;
  /** The status reply in the thread that the countdown keeps up to date. */
  statusTs?: string;
  /**
   * Thread replies whose buttons stop applying later: the five-minute warning (Extend,
   * Stop) and the latest offer to relaunch with a new commit. Kept in the tags, so that a
   * restarted bot still takes their buttons away when the app ends.
   */
  warningTs?: string;
  offerTs?: string;
  launchedAt: number;
  softDeadline: number;
  hardDeadline: number;
  /** The app container's port, from the task definition. */
  port?: number;
  /** The app's address once it runs. */
  url?: string;
  /** Set once the five-minute warning was posted. */
  warned?: boolean;
  /** Set once the end of the app was announced. */
  announced?: boolean;
  /** A newer head commit of the MR that the thread was told about (see `nextStage`). */
  nextSha?: string;
  /** What the thread was last told about `nextSha`, so a restart does not say it again. */
  nextStage?: NextCommitStage;
  /** The MR's note that shows the app (GITLAB_MR_NOTES), edited in place and carried to relaunches. */
  noteId?: number;
}

/** A new commit's way to a review app: its pipeline runs, it failed, or its image was offered. */
export type NextCommitStage = 'building' | 'failed' | 'offered';

export interface ContainerState {
  name: string;
  image?: string;
  /** The container's own hard memory limit in MiB, when it has one. */
  memory?: string;
  lastStatus?: string;
  exitCode?: number;
  reason?: string;
}

/** A task as the platform reports it, in domain terms. */
export interface TaskInfo {
  arn: string;
  lastStatus: string;
  desiredStatus: string;
  /** Who started the task, as the platform records it. */
  startedBy?: string;
  stopCode?: string;
  stoppedReason?: string;
  taskDefinitionArn?: string;
  cpu?: string;
  memory?: string;
  capacityProvider?: string;
  createdAt?: number;
  startedAt?: number;
  stoppedAt?: number;
  containers: ContainerState[];
  /** The platform's handle on the task's network interface (read back by the platform only). */
  networkInterfaceId?: string;
  privateIp?: string;
  tags: Record<string, string>;
}

/** A review app: the task plus what the bot knows about it. */
export interface ReviewApp {
  task: TaskInfo;
  meta: ReviewAppMeta;
  /** Filled in once the task runs. */
  address?: { privateIp?: string; publicIp?: string; url: string };
}

const ACTIVE_STATUSES = new Set(['PROVISIONING', 'PENDING', 'ACTIVATING', 'RUNNING']);

export function isEnded(task: TaskInfo): boolean {
  return task.desiredStatus === 'STOPPED' || !ACTIVE_STATUSES.has(task.lastStatus);
}
