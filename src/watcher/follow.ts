import { stopReasonFor } from '../core/diagnosis.js';
import type { ReviewAppEngine } from '../core/engine.js';
import type { Logger } from '../core/logger.js';
import type { MergeRequestStatus, ReviewApp } from '../core/types.js';

/** How review apps follow their merge request. */
export interface FollowSettings {
  /** How often GitLab is asked about the running apps' MRs (slower than the ECS rounds). */
  checkEveryMs: number;
  /** Stop an app once its MR is merged or closed. */
  stopOnMerge: boolean;
  /** A new head commit: say nothing, offer a relaunch, or relaunch by itself. */
  commits: 'off' | 'offer' | 'auto';
}

export const DEFAULT_FOLLOW: FollowSettings = {
  checkEveryMs: 60_000,
  stopOnMerge: true,
  commits: 'offer',
};

/** What the thread hears about a new head commit. */
export type CommitNews =
  | { kind: 'building' | 'failed'; sha: string; message: string }
  | { kind: 'ready'; sha: string; image: string; auto: boolean };

export interface FollowDeps {
  engine: ReviewAppEngine;
  logger: Logger;
  settings: FollowSettings;
  /** Stop an app the bot ends itself, and tell the channel why. */
  stop(app: ReviewApp, reason: string): Promise<void>;
  /**
   * Tell the app's thread about a new commit (Slack implements it); the message's id when
   * it offers a relaunch, remembered in the tags so that its button can be taken back.
   */
  newCommit(app: ReviewApp, news: CommitNews): Promise<string | undefined>;
}

/**
 * Reads the running apps' merge requests in one GitLab request per 100 and
 * acts on what changed: a merged or closed MR stops its app; a new head
 * commit is told once per stage. What was told is written to the task's tags
 * before it is said, so a restarted bot does not say it again.
 */
export async function followMergeRequests(deps: FollowDeps, apps: ReviewApp[]): Promise<void> {
  if (apps.length === 0) return;
  await followStatuses(deps, apps, await readStatuses(deps.engine, apps));
}

/** The apps' merge requests as GitLab lists them now: one request per 100 (of one project). */
export function readStatuses(
  engine: ReviewAppEngine,
  apps: ReviewApp[],
): Promise<MergeRequestStatus[]> {
  return engine.mergeRequestStatuses([...new Set(apps.map((a) => a.meta.mr))]);
}

/** Acts on what `readStatuses` found for these apps (see followMergeRequests). */
export async function followStatuses(
  deps: FollowDeps,
  apps: ReviewApp[],
  statuses: MergeRequestStatus[],
): Promise<void> {
  const { logger } = deps;
  const byIid = new Map(statuses.map((status) => [status.iid, status]));
  for (const app of apps) {
    const status = byIid.get(app.meta.mr);
    if (!status) continue;
    // One app's failure must not hold up the others.
    try {
      await followOne(deps, app, status);
    } catch (error) {
      logger.warn('could not follow a merge request', { mr: app.meta.mr, error });
    }
  }
}

async function followOne(
  deps: FollowDeps,
  app: ReviewApp,
  status: MergeRequestStatus,
): Promise<void> {
  const { settings } = deps;
  if (status.state === 'merged' || status.state === 'closed') {
    if (!settings.stopOnMerge) return;
    const who = status.state === 'merged' ? status.mergedBy : status.closedBy;
    await deps.stop(app, stopReasonFor(status.state, who));
    return;
  }
  // Drafts are opened MRs too: they keep running and keep following their commits.
  if (settings.commits === 'off' || status.state !== 'opened') return;
  const { meta } = app;
  // Only a thread can hear of a commit, and only a running app can be relaunched.
  if (!meta.channel || !meta.thread || app.task.lastStatus !== 'RUNNING') return;
  if (!status.sha || status.sha === meta.sha) return;
  if (meta.nextSha === status.sha && meta.nextStage !== 'building') return;
  await newCommit(deps, app, status.sha);
}

async function newCommit(deps: FollowDeps, app: ReviewApp, listedSha: string): Promise<void> {
  const { engine } = deps;
  const { meta } = app;
  const head = await engine.headCommitImage(meta.mr);
  // The head may have moved again since the list was read: follow what GitLab says now.
  const sha = head.sha || listedSha;
  if (sha === meta.sha || head.outcome === 'waiting') return;
  const told = meta.nextSha === sha ? meta.nextStage : undefined;
  if (head.outcome === 'building') {
    if (told === 'building') return;
    const marked = await engine.updateMeta(app, { nextSha: sha, nextStage: 'building' });
    await tell(deps, marked, { kind: 'building', sha, message: head.message });
    return;
  }
  if (told === 'offered' || told === 'failed') return;
  if (head.outcome === 'failed') {
    const marked = await engine.updateMeta(app, { nextSha: sha, nextStage: 'failed' });
    await tell(deps, marked, { kind: 'failed', sha, message: head.message });
    return;
  }
  const marked = await engine.updateMeta(app, { nextSha: sha, nextStage: 'offered' });
  // Only a Slack user can be named the requester of a relaunch; CI launches get the offer.
  const auto = deps.settings.commits === 'auto' && meta.source === 'slack';
  await tell(deps, marked, { kind: 'ready', sha, image: head.image, auto });
}

/** Say it, and remember which message offers a relaunch now (none: an older offer was taken back). */
async function tell(deps: FollowDeps, app: ReviewApp, news: CommitNews): Promise<void> {
  const offerTs = await deps.newCommit(app, news);
  if (offerTs || app.meta.offerTs) await deps.engine.updateMeta(app, { offerTs: offerTs ?? '' });
}
