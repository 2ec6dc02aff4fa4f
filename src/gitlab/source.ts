import { type Clock, systemClock } from '../core/clock.js';
import { isReviewAppError, ReviewAppError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { silentLogger } from '../core/logger.js';
import type { MergeRequestSource } from '../core/ports.js';
import type { MergeRequest, MergeRequestStatus, MergeRequestSummary } from '../core/types.js';
import type { GitLabApi } from './client.js';
import { GitLabCalls, parse } from './gitlab-calls.js';
import { OpenMergeRequestList } from './open-mr-list.js';
import {
  mergeRequestListSchema,
  mergeRequestSchema,
  mergeRequestStatusListSchema,
  projectSchema,
  registryRepositorySchema,
  registryTagSchema,
} from './schemas.js';
import type { GitLabSettings } from './settings.js';

/** The picker must answer within Slack's three seconds. */
const PICKER_WAIT_MS = 1_000;
/** Open MRs listed for the picker (GitLab's largest page). */
const OPEN_MR_PAGE = 100;

/** The project as `GET /projects/:id` tells it. */
export interface ProjectFacts {
  id: number;
  path: string;
  visibility?: string;
  /** The token user's Gitlab::Access level (10 Guest … 50 Owner), when GitLab says. */
  accessLevel?: number;
}

/** GitLab as the engine needs it, through gitbeaker; answers parsed with zod. */
export class GitLabSource implements MergeRequestSource {
  /** Shared with the other GitLab adapters (environments): one client, one way to wait and word failures. */
  readonly calls: GitLabCalls;
  private readonly api: () => Promise<GitLabApi>;
  private readonly repositoryIds = new Map<string, Promise<number | undefined>>();
  private project: Promise<ProjectFacts> | undefined;

  private readonly openMergeRequests: OpenMergeRequestList;

  constructor(
    private readonly config: GitLabSettings,
    private readonly logger: Logger = silentLogger,
    clock: Clock = systemClock,
  ) {
    this.calls = new GitLabCalls(config, logger, clock);
    this.api = this.calls.api;
    this.openMergeRequests = new OpenMergeRequestList(clock, () => this.listOpenMergeRequests());
  }

  async getMergeRequest(iid: number): Promise<MergeRequest> {
    const raw = await this.calls.call(`merge request !${iid}`, async () =>
      (await this.api()).MergeRequests.show(this.config.project, iid),
    );
    const mr = parse(mergeRequestSchema, raw, 'merge request');
    return {
      iid: mr.iid,
      title: mr.title,
      state: mr.state,
      webUrl: mr.web_url,
      sourceBranch: mr.source_branch,
      sha: mr.sha,
      headPipeline: mr.head_pipeline
        ? {
            id: mr.head_pipeline.id,
            status: mr.head_pipeline.status,
            ...(mr.head_pipeline.sha ? { sha: mr.head_pipeline.sha } : {}),
            ...(mr.head_pipeline.web_url ? { webUrl: mr.head_pipeline.web_url } : {}),
          }
        : null,
      ...(mr.author ? { author: mr.author } : {}),
      ...(mr.source_project_id &&
      mr.target_project_id &&
      mr.source_project_id !== mr.target_project_id
        ? { forkProjectId: mr.source_project_id }
        : {}),
    };
  }

  async mergeRequestStatuses(iids: number[]): Promise<MergeRequestStatus[]> {
    const statuses: MergeRequestStatus[] = [];
    // GitLab pages at 100 at most: one request per 100 MRs (gitbeaker sends `iids[]=1&iids[]=2`).
    for (let start = 0; start < iids.length; start += 100) {
      const batch = iids.slice(start, start + 100);
      const raw = await this.calls.call('merge requests', async () =>
        (await this.api()).MergeRequests.all({
          projectId: this.config.project,
          // No `state`: GitLab then answers every state, merged and closed included.
          iids: batch,
          perPage: 100,
          maxPages: 1,
        }),
      );
      for (const mr of parse(mergeRequestStatusListSchema, raw, 'merge requests')) {
        const mergedBy = mr.merge_user ?? mr.merged_by;
        statuses.push({
          iid: mr.iid,
          state: mr.state,
          sha: mr.sha,
          ...(mergedBy ? { mergedBy: mergedBy.name } : {}),
          ...(mr.closed_by ? { closedBy: mr.closed_by.name } : {}),
        });
      }
    }
    return statuses;
  }

  searchOpenMergeRequests(query: string, limit: number): Promise<MergeRequestSummary[]> {
    return this.openMergeRequests.search(query, limit);
  }

  /** The open MRs the picker chooses from: the most recently updated page of them. */
  private async listOpenMergeRequests(): Promise<MergeRequestSummary[]> {
    // Someone waits for the picker: Slack wants its options within three seconds.
    const raw = await this.calls.call(
      'open merge requests',
      async () =>
        (await this.api()).MergeRequests.all({
          projectId: this.config.project,
          state: 'opened',
          orderBy: 'updated_at',
          sort: 'desc',
          perPage: OPEN_MR_PAGE,
          maxPages: 1,
        }),
      { maxWaitMs: PICKER_WAIT_MS },
    );
    return parse(mergeRequestListSchema, raw, 'merge requests').map((mr) => ({
      iid: mr.iid,
      title: mr.title,
      sourceBranch: mr.source_branch,
      webUrl: mr.web_url,
    }));
  }

  async findImageTag(
    tags: string[],
    options: { forkProjectId?: number } = {},
  ): Promise<{ tag: string; location: string } | undefined> {
    const fork = options.forkProjectId;
    if (fork === undefined) return this.findTagIn(this.config.project, undefined, tags);
    let refused: ReviewAppError<'GITLAB_UNAUTHORIZED'> | undefined;
    try {
      const inFork = await this.findTagIn(fork, fork, tags);
      if (inFork) return inFork;
    } catch (error) {
      if (!isReviewAppError(error, 'GITLAB_UNAUTHORIZED')) throw error;
      refused = error;
    }
    // A pipeline a member runs in the parent project for a fork's MR pushes to the
    // parent's registry: "Run pipelines in the parent project",
    // https://docs.gitlab.com/ci/pipelines/merge_request_pipelines/#run-pipelines-in-the-parent-project
    const inProject = await this.findTagIn(this.config.project, undefined, tags);
    if (inProject || !refused) return inProject;
    const error = forkUnreadable(fork, refused, await this.projectPath());
    // The operator hears the fork's own fix, not the token's nor GITLAB_PROJECT's.
    this.logger.error("GitLab token cannot read a fork's container registry", {
      fork,
      status: refused.details.status,
      hint: error.hint.operator,
    });
    throw error;
  }

  private async findTagIn(
    project: string | number,
    fork: number | undefined,
    tags: string[],
  ): Promise<{ tag: string; location: string } | undefined> {
    const repositoryId = await this.registryRepositoryId(project, fork);
    if (repositoryId === undefined) return undefined;
    for (const tag of tags) {
      try {
        const raw = await this.calls.call(`image tag ${tag}`, async () =>
          (await this.api()).ContainerRegistry.showTag(project, repositoryId, tag),
        );
        return { tag, location: parse(registryTagSchema, raw, 'registry tag').location };
      } catch (error) {
        if (error instanceof ReviewAppError && error.details.status === 404) continue;
        throw error;
      }
    }
    return undefined;
  }

  async prepareImageLookup(): Promise<void> {
    await this.registryRepositoryId(this.config.project, undefined);
  }

  /** For `review-app doctor`: whether the registry repository is there (throws REGISTRY_NOT_FOUND, naming those there are). */
  async hasRegistryRepository(): Promise<boolean> {
    return (await this.registryRepositoryId(this.config.project, undefined)) !== undefined;
  }

  /**
   * The registry repository images are pushed to: REGISTRY_REPOSITORY, or the project's own;
   * for an MR from a fork, the repository of the same name in the fork, where its CI pushes.
   */
  private registryRepositoryId(
    project: string | number,
    fork: number | undefined,
  ): Promise<number | undefined> {
    const key = String(project);
    const known = this.repositoryIds.get(key);
    if (known) return known;
    const lookup = (async () => {
      // Both are independent GitLab reads: side by side, not one after the other.
      const [raw] = await Promise.all([this.listRepositories(project, fork), this.projectPath()]);
      const repositories = parse(registryRepositorySchema.array(), raw, 'registry repositories');
      const found = await this.pickRepository(repositories, fork !== undefined);
      if (!found) {
        const available = repositories.map((r) => r.path);
        this.logger.warn('registry repository not found', { project: key, available });
        // Not remembered: CI may push the first image any minute.
        this.repositoryIds.delete(key);
        // An empty registry only means nothing was pushed yet; others mean the wrong name.
        // A fork's registry without the repository only means its CI pushed nothing yet.
        const configured = this.config.registryRepository !== undefined;
        if (fork === undefined && (available.length > 0 || configured)) {
          const wanted = this.config.registryRepository ?? (await this.projectPath());
          throw registryNotFound(wanted, available, configured);
        }
      }
      return found?.id;
    })().catch((error) => {
      this.repositoryIds.delete(key);
      throw error;
    });
    this.repositoryIds.set(key, lookup);
    return lookup;
  }

  private listRepositories(project: string | number, fork: number | undefined) {
    return this.calls.call(
      'container registry',
      async () =>
        (await this.api()).ContainerRegistry.allRepositories({ projectId: project, perPage: 100 }),
      // GitLab answers 404 for a private project the token's user cannot see: for a fork,
      // that is the fork's registry out of reach, not a wrong GITLAB_PROJECT or token.
      fork === undefined
        ? {}
        : {
            refused: (status) =>
              new ReviewAppError(
                'GITLAB_UNAUTHORIZED',
                `The bot's GitLab token cannot read the container registry of the fork (project ${fork}).`,
                { status },
              ),
          },
    );
  }

  /** GitLab keeps registry paths lower case: project Acme/Shop pushes to acme/shop. */
  private async pickRepository<
    R extends { id: number; name?: string | null; path: string; location: string },
  >(repositories: R[], inFork: boolean): Promise<R | undefined> {
    const projectPath = (await this.projectPath()).toLowerCase();
    const wanted = (this.config.registryRepository ?? projectPath).toLowerCase();
    if (!inFork) {
      return repositories.find((r) =>
        [r.path, r.name ?? '', String(r.id), r.location].some((v) => v.toLowerCase() === wanted),
      );
    }
    // In a fork, the repository of the same name: "" for the project's own, "web" for acme/shop/web.
    const name = wanted === projectPath ? '' : wanted.replace(`${projectPath}/`, '');
    return repositories.find((r) => (r.name ?? '').toLowerCase() === name);
  }

  projectPath(): Promise<string> {
    if (!/^[0-9]+$/.test(this.config.project)) return Promise.resolve(this.config.project);
    return this.readProject().then((project) => project.path);
  }

  /**
   * The project as GitLab knows it, read once (`review-app doctor` checks it is there and
   * the token user's role in it: the higher of its own and its group's, 0 for none).
   */
  readProject(): Promise<ProjectFacts> {
    this.project ??= this.calls
      .call('project', async () => (await this.api()).Projects.show(this.config.project))
      .then((raw) => {
        const project = parse(projectSchema, raw, 'project');
        const { permissions } = project;
        return {
          id: project.id,
          path: project.path_with_namespace,
          ...(project.visibility ? { visibility: project.visibility } : {}),
          ...(permissions
            ? {
                accessLevel: Math.max(
                  permissions.project_access?.access_level ?? 0,
                  permissions.group_access?.access_level ?? 0,
                ),
              }
            : {}),
        };
      })
      .catch((error) => {
        this.project = undefined;
        throw error;
      });
    return this.project;
  }
}

/** Said once the project's own registry had no image for the fork's MR either. */
function forkUnreadable(
  fork: number,
  refused: ReviewAppError<'GITLAB_UNAUTHORIZED'>,
  project: string,
): ReviewAppError<'GITLAB_UNAUTHORIZED'> {
  const { status } = refused.details;
  return new ReviewAppError(
    'GITLAB_UNAUTHORIZED',
    `This merge request comes from a fork (project ${fork}), whose CI pushes its image to the fork's container registry, and the bot's GitLab token cannot read that registry (HTTP ${status ?? '?'}); ${project}'s own registry has no image for it either.`,
    refused.details,
    {
      cause: refused,
      hint: {
        person: `Someone with the Developer role in ${project} can run the merge request's pipeline in ${project} (Run pipeline, on its Pipelines tab), which pushes the image to ${project}'s registry; then launch again.`,
        operator: `Give the bot's GitLab user (the owner of GITLAB_TOKEN) at least the Reporter role in the fork (project ${fork}), or have merge requests from forks build their image in ${project}, whose registry the bot also reads.`,
      },
    },
  );
}

function registryNotFound(
  wanted: string,
  available: string[],
  configured: boolean,
): ReviewAppError {
  const there =
    available.length > 0
      ? `it has ${available.slice(0, 10).join(', ')}${available.length > 10 ? ', …' : ''}`
      : 'it has none yet';
  const fix = configured
    ? 'If the CI job has not pushed there yet, wait for it; otherwise set REGISTRY_REPOSITORY to the path it pushes to.'
    : 'Set REGISTRY_REPOSITORY to the path the CI job pushes to, or push to the project’s own path.';
  return new ReviewAppError(
    'REGISTRY_NOT_FOUND',
    `The container registry has no repository ${wanted}; ${there}. ${fix}`,
    { wanted, available },
  );
}
