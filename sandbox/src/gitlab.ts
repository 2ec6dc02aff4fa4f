import {
  type Deployment,
  EnvironmentStore,
  environmentRoutes,
  type GitLabEnvironment,
} from './gitlab-environments.js';
import {
  addMergeRequest,
  addPipeline,
  mergeRequestRoutes,
  showMergeRequest,
  updateMergeRequest,
} from './gitlab-merge-requests.js';
import { type GitLabNote, NoteStore, noteRoutes } from './gitlab-notes.js';
import { addProject, projectRoutes } from './gitlab-projects.js';
import { authorised } from './gitlab-query.js';
import { addRegistryRepository, addRegistryTag, registryRoutes } from './gitlab-registry.js';
import { Router } from './gitlab-router.js';
import { ACCESS, type GitLabState, mustProject } from './gitlab-state.js';
import type {
  GitLabMergeRequest,
  GitLabPipeline,
  GitLabProject,
  GitLabRegistryRepository,
  GitLabRegistryTag,
  MergeRequestInput,
  MergeRequestPatch,
  PipelineInput,
} from './gitlab-types.js';
import { json, type LoopbackServer, type RecordedRequest, startLoopbackServer } from './http.js';

export type { Deployment, GitLabEnvironment } from './gitlab-environments.js';
export type { GitLabNote } from './gitlab-notes.js';
export type * from './gitlab-types.js';

/**
 * A loopback GitLab (REST API v4) good enough for @gitbeaker/rest: projects,
 * merge requests (with GitLab's offset pagination), container registry
 * repositories and tags, head pipelines and environments. Authenticates with the
 * `PRIVATE-TOKEN` header, as gitbeaker sends it.
 */

export interface GitLabStandIn extends LoopbackServer {
  readonly token: string;
  /** The scopes `GET /personal_access_tokens/self` reports for the token. */
  setTokenScopes(scopes: string[]): void;
  /** The token user's role in every project (Developer unless told). */
  setTokenRole(role: keyof typeof ACCESS): void;
  /** Another user's token from now on (same secret): notes written before are not its own. */
  setTokenUser(user: { id: number; username: string; name: string }): void;
  /**
   * `hidden`: the bot's token cannot see the project (a private fork it is not a member of);
   * GitLab answers 404 Project Not Found for it, as for a project that does not exist.
   */
  addProject(input: {
    id: number;
    path: string;
    hidden?: boolean;
    visibility?: 'private' | 'internal' | 'public';
  }): GitLabProject;
  addMergeRequest(projectId: number | string, input: MergeRequestInput): GitLabMergeRequest;
  updateMergeRequest(
    projectId: number | string,
    iid: number,
    patch: MergeRequestPatch,
  ): GitLabMergeRequest;
  /** The MR as `GET .../merge_requests/:iid` answers it. */
  mergeRequest(projectId: number | string, iid: number): GitLabMergeRequest | undefined;
  addRegistryRepository(
    projectId: number | string,
    input: { id: number; name?: string; path?: string },
  ): GitLabRegistryRepository;
  addRegistryTag(
    projectId: number | string,
    repositoryId: number,
    tagName: string,
    options?: { digest?: string },
  ): GitLabRegistryTag;
  /** Adds or replaces a pipeline; MRs whose head pipeline has this id show the new status. */
  addPipeline(projectId: number | string, input: PipelineInput): GitLabPipeline;
  /**
   * The next `times` requests (those `match` picks, default all) are refused as GitLab's
   * rate limiter refuses: 429 with Retry-After in seconds and the RateLimit-* headers
   * (docs.gitlab.com, user and IP rate limits: response headers).
   */
  rateLimit(options: {
    retryAfterSeconds: number;
    times?: number;
    match?: (request: RecordedRequest) => boolean;
  }): void;
  /** The MR's notes that GitLab accepted, oldest first. */
  notes(projectId: number | string, iid: number): GitLabNote[];
  /** Someone deleted a note in GitLab. */
  removeNote(projectId: number | string, iid: number, noteId: number): void;
  /** The project's environments, as GitLab lists them. */
  environments(projectId: number | string): GitLabEnvironment[];
  /**
   * A CI job deployed to the environment `name` with `environment:on_stop` (made if
   * missing, `available` again if stopped): stopping it now waits in `stopping` for that job.
   */
  deployWithStopAction(projectId: number | string, name: string, url?: string): GitLabEnvironment;
  /** The deployments GitLab keeps of the environment `name` (a CI job's, the API's), oldest first. */
  deployments(projectId: number | string, name: string): Deployment[];
  /** The on_stop job ends: the environment is `stopped`, or `available` again if the job failed. */
  finishStopJob(
    projectId: number | string,
    name: string,
    outcome?: 'success' | 'failed',
  ): GitLabEnvironment;
}

export async function startGitLabStandIn(
  options: { now?: () => number } = {},
): Promise<GitLabStandIn> {
  const token = 'glpat-test-token';
  const now = options.now ?? Date.now;
  const iso = () => new Date(now()).toISOString();
  const state: GitLabState = {
    baseUrl: '',
    tokenScopes: ['read_api', 'read_registry'],
    tokenUser: { id: 77, username: 'review-app-bot', name: 'Review App Bot' },
    tokenAccessLevel: ACCESS.developer,
    iso,
    projects: new Map(),
    users: new Map(),
    environments: new EnvironmentStore(iso),
    // The store reads the token's user and role as they are when each request comes.
    notes: new NoteStore(() => state),
    nextMergeRequestId: 1000,
  };
  const router = new Router(state);
  projectRoutes(router, state);
  mergeRequestRoutes(router, state);
  registryRoutes(router, state);
  environmentRoutes(router, state);
  noteRoutes(router, state);

  const server = await startLoopbackServer({
    identify: (request) => {
      const found = router.match(request.method, request.path);
      return found
        ? `${request.method} ${found.route.pattern}`
        : `UNKNOWN ${request.method} ${request.path}`;
    },
    handle: (request) => {
      const found = router.match(request.method, request.path);
      if (!found) return json(404, { error: '404 Not Found' });
      if (!authorised(request, token)) return json(401, { message: '401 Unauthorized' });
      // Writes need the api scope; GitLab refuses them for read_api tokens with this 403
      // (gitlab-org/gitlab#520392, gitlab-foss#33022).
      if (request.method !== 'GET' && !state.tokenScopes.includes('api')) {
        return json(403, {
          error: 'insufficient_scope',
          error_description:
            'The request requires higher privileges than provided by the access token.',
          scope: 'api',
        });
      }
      return found.route.handler(found.params, request);
    },
  });
  state.baseUrl = server.url;

  return {
    ...server,
    token,
    setTokenScopes: (scopes) => {
      state.tokenScopes = [...scopes];
    },
    setTokenRole: (role) => {
      state.tokenAccessLevel = ACCESS[role];
    },
    setTokenUser: (user) => {
      state.tokenUser = { ...user };
    },
    addProject: (input) => addProject(state, input),
    addMergeRequest: (projectId, input) => addMergeRequest(state, projectId, input),
    updateMergeRequest: (projectId, iid, patch) => updateMergeRequest(state, projectId, iid, patch),
    mergeRequest: (projectId, iid) => showMergeRequest(state, projectId, iid),
    addRegistryRepository: (projectId, input) => addRegistryRepository(state, projectId, input),
    addRegistryTag: (projectId, repositoryId, tagName, tagOptions) =>
      addRegistryTag(state, projectId, repositoryId, tagName, tagOptions),
    addPipeline: (projectId, input) => addPipeline(state, projectId, input),
    rateLimit: ({ retryAfterSeconds, times, match }) =>
      server.fault({
        match: match ?? (() => true),
        ...(times !== undefined ? { times } : {}),
        reply: () => ({
          status: 429,
          headers: {
            'content-type': 'text/plain',
            'retry-after': String(retryAfterSeconds),
            'ratelimit-limit': '600',
            'ratelimit-remaining': '0',
            'ratelimit-reset': String(Math.ceil(now() / 1000) + retryAfterSeconds),
          },
          body: 'Retry later\n',
        }),
      }),
    notes: (projectId, iid) => state.notes.all(mustProject(state, projectId).project.id, iid),
    removeNote: (projectId, iid, noteId) =>
      state.notes.remove(mustProject(state, projectId).project.id, iid, noteId),
    environments: (projectId) => state.environments.all(mustProject(state, projectId).project.id),
    deployWithStopAction: (projectId, name, url) =>
      state.environments.deployWithStopAction(mustProject(state, projectId).project.id, name, url),
    deployments: (projectId, name) =>
      state.environments.deploymentsOf(mustProject(state, projectId).project.id, name),
    finishStopJob: (projectId, name, outcome = 'success') =>
      state.environments.finishStopJob(mustProject(state, projectId).project.id, name, outcome),
  };
}
