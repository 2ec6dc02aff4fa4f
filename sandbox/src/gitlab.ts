import { createHash } from 'node:crypto';
import { EnvironmentStore, type GitLabEnvironment } from './gitlab-environments.js';
import { paginated } from './gitlab-pagination.js';
import { authorised, filterMergeRequests } from './gitlab-query.js';
import type {
  GitLabMergeRequest,
  GitLabPipeline,
  GitLabProject,
  GitLabRegistryRepository,
  GitLabRegistryTag,
  GitLabUser,
  MergeRequestInput,
  MergeRequestPatch,
  PipelineInput,
} from './gitlab-types.js';
import {
  type HttpReply,
  json,
  type LoopbackServer,
  type RecordedRequest,
  startLoopbackServer,
} from './http.js';

export type { GitLabEnvironment } from './gitlab-environments.js';
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
  /**
   * `hidden`: the bot's token cannot see the project (a private fork it is not a member of);
   * GitLab answers 404 Project Not Found for it, as for a project that does not exist.
   */
  addProject(input: { id: number; path: string; hidden?: boolean }): GitLabProject;
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
  /** The project's environments, as GitLab lists them. */
  environments(projectId: number | string): GitLabEnvironment[];
}

interface MergeRequestRecord extends Omit<GitLabMergeRequest, 'head_pipeline'> {
  headPipelineId: number | null;
}

interface RepositoryRecord {
  repository: GitLabRegistryRepository;
  tags: Map<string, GitLabRegistryTag>;
}

interface ProjectRecord {
  project: GitLabProject;
  hidden: boolean;
  mergeRequests: Map<number, MergeRequestRecord>;
  repositories: Map<number, RepositoryRecord>;
  pipelines: Map<number, GitLabPipeline>;
}

type RouteHandler = (params: Record<string, string>, request: RecordedRequest) => HttpReply;

interface Route {
  method: string;
  pattern: string;
  segments: string[];
  handler: RouteHandler;
}

const API_PREFIX = '/api/v4';

const notFound = (what = 'Not found') => json(404, { message: `404 ${what}` });

export async function startGitLabStandIn(
  options: { now?: () => number } = {},
): Promise<GitLabStandIn> {
  const token = 'glpat-test-token';
  let tokenScopes = ['read_api', 'read_registry'];
  const now = options.now ?? Date.now;
  const iso = () => new Date(now()).toISOString();
  const projects = new Map<number, ProjectRecord>();
  const users = new Map<string, GitLabUser>();
  const environments = new EnvironmentStore(iso);
  let nextMergeRequestId = 1000;
  let baseUrl = '';

  const user = (username: string, name: string): GitLabUser => {
    let found = users.get(username);
    if (!found) {
      found = { username, name };
      users.set(username, found);
    }
    return found;
  };

  const findProject = (idOrPath: number | string): ProjectRecord | undefined => {
    const key = String(idOrPath);
    if (/^\d+$/.test(key)) return projects.get(Number(key));
    const wanted = key.toLowerCase();
    for (const record of projects.values()) {
      if (record.project.path_with_namespace.toLowerCase() === wanted) return record;
    }
    return undefined;
  };
  const mustProject = (idOrPath: number | string): ProjectRecord => {
    const found = findProject(idOrPath);
    if (!found) throw new Error(`GitLab stand-in: no project ${idOrPath}`);
    return found;
  };

  const savePipeline = (record: ProjectRecord, input: PipelineInput, sha = '', ref = '') => {
    const existing = record.pipelines.get(input.id);
    const pipeline: GitLabPipeline = {
      id: input.id,
      sha: input.sha ?? existing?.sha ?? sha,
      ref: input.ref ?? existing?.ref ?? ref,
      status: input.status,
      web_url: `${record.project.web_url}/-/pipelines/${input.id}`,
    };
    record.pipelines.set(input.id, pipeline);
    return pipeline;
  };

  const render = (record: ProjectRecord, mr: MergeRequestRecord, full: boolean) => {
    const { headPipelineId, ...rest } = mr;
    const out: GitLabMergeRequest = structuredClone(rest);
    if (full) {
      const pipeline = headPipelineId === null ? undefined : record.pipelines.get(headPipelineId);
      out.head_pipeline = pipeline ? { ...pipeline } : null;
    }
    return out;
  };

  const applyPatch = (record: ProjectRecord, mr: MergeRequestRecord, patch: MergeRequestPatch) => {
    if (patch.title !== undefined) mr.title = patch.title;
    if (patch.source_branch !== undefined) mr.source_branch = patch.source_branch;
    if (patch.sha !== undefined) mr.sha = patch.sha;
    if (patch.draft !== undefined) mr.draft = patch.draft;
    if (patch.author !== undefined) mr.author = user(patch.author.username, patch.author.name);
    if (patch.state !== undefined && patch.state !== mr.state) {
      const actor = patch.actor ? user(patch.actor.username, patch.actor.name) : mr.author;
      mr.state = patch.state;
      mr.merged_at = patch.state === 'merged' ? iso() : null;
      mr.closed_at = patch.state === 'closed' ? iso() : null;
      mr.merged_by = patch.state === 'merged' ? actor : null;
      mr.merge_user = mr.merged_by;
      mr.closed_by = patch.state === 'closed' ? actor : null;
    }
    if (patch.head_pipeline !== undefined) {
      mr.headPipelineId =
        patch.head_pipeline === null
          ? null
          : savePipeline(record, patch.head_pipeline, mr.sha, mr.source_branch).id;
    }
    mr.updated_at = iso();
  };

  // --- routes -------------------------------------------------------------

  const withProject =
    (
      handler: (
        record: ProjectRecord,
        params: Record<string, string>,
        request: RecordedRequest,
      ) => HttpReply,
    ): RouteHandler =>
    (params, request) => {
      const record = findProject(params.id ?? '');
      return record && !record.hidden
        ? handler(record, params, request)
        : notFound('Project Not Found');
    };

  const listRequest = (request: RecordedRequest) => ({
    baseUrl,
    path: request.path,
    query: request.query,
  });

  const routes: Route[] = [];
  const route = (method: string, pattern: string, handler: RouteHandler) =>
    routes.push({ method, pattern, segments: pattern.split('/').slice(1), handler });

  // The token describing itself (GitLab 16.0+, "Get single personal access token":
  // docs.gitlab.com/api/personal_access_tokens): scopes, active, expires_at.
  route('GET', '/personal_access_tokens/self', () =>
    json(200, { scopes: tokenScopes, active: true, expires_at: null }),
  );
  route(
    'GET',
    '/projects/:id',
    withProject((record) => json(200, record.project)),
  );
  route(
    'GET',
    '/projects/:id/merge_requests',
    withProject((record, _params, request) => {
      const list = filterMergeRequests([...record.mergeRequests.values()], request.query);
      return paginated(
        list.map((mr) => render(record, mr, false)),
        listRequest(request),
      );
    }),
  );
  route(
    'GET',
    '/projects/:id/merge_requests/:iid',
    withProject((record, params) => {
      const mr = record.mergeRequests.get(Number(params.iid));
      return mr ? json(200, render(record, mr, true)) : notFound();
    }),
  );
  route(
    'GET',
    '/projects/:id/registry/repositories',
    withProject((record, _params, request) => {
      const list = [...record.repositories.values()].map(({ repository }) => repository);
      return paginated(list, listRequest(request));
    }),
  );
  route(
    'GET',
    '/projects/:id/registry/repositories/:repository_id/tags/:tag_name',
    withProject((record, params) => {
      const repo = record.repositories.get(Number(params.repository_id));
      if (!repo) return notFound('Repository Not Found');
      const tag = repo.tags.get(params.tag_name ?? '');
      return tag ? json(200, tag) : notFound('Tag Not Found');
    }),
  );

  route(
    'GET',
    '/projects/:id/environments',
    withProject((record, _params, request) =>
      paginated(environments.list(record.project.id, request.query), listRequest(request)),
    ),
  );
  route(
    'POST',
    '/projects/:id/environments',
    withProject((record, _params, request) => environments.create(record.project.id, request)),
  );
  route(
    'PUT',
    '/projects/:id/environments/:environment_id',
    withProject((record, params, request) =>
      environments.edit(record.project.id, Number(params.environment_id), request),
    ),
  );
  route(
    'POST',
    '/projects/:id/environments/:environment_id/stop',
    withProject((record, params) =>
      environments.stop(record.project.id, Number(params.environment_id)),
    ),
  );
  route(
    'DELETE',
    '/projects/:id/environments/:environment_id',
    withProject((record, params) =>
      environments.remove(record.project.id, Number(params.environment_id)),
    ),
  );

  const match = (method: string, path: string) => {
    if (!path.startsWith(`${API_PREFIX}/`)) return undefined;
    const parts = path.slice(API_PREFIX.length).split('/').slice(1);
    for (const candidate of routes) {
      if (candidate.method !== method || candidate.segments.length !== parts.length) continue;
      const params: Record<string, string> = {};
      const ok = candidate.segments.every((segment, i) => {
        const part = parts[i] ?? '';
        if (segment.startsWith(':')) {
          if (part === '') return false;
          try {
            params[segment.slice(1)] = decodeURIComponent(part);
          } catch {
            return false;
          }
          return true;
        }
        return segment === part;
      });
      if (ok) return { route: candidate, params };
    }
    return undefined;
  };

  const server = await startLoopbackServer({
    identify: (request) => {
      const found = match(request.method, request.path);
      return found
        ? `${request.method} ${found.route.pattern}`
        : `UNKNOWN ${request.method} ${request.path}`;
    },
    handle: (request) => {
      const found = match(request.method, request.path);
      if (!found) return json(404, { error: '404 Not Found' });
      if (!authorised(request, token)) return json(401, { message: '401 Unauthorized' });
      return found.route.handler(found.params, request);
    },
  });
  baseUrl = server.url;

  return {
    ...server,
    token,
    setTokenScopes: (scopes) => {
      tokenScopes = [...scopes];
    },
    addProject: ({ id, path, hidden = false }) => {
      const project: GitLabProject = {
        id,
        path_with_namespace: path,
        default_branch: 'main',
        web_url: `${baseUrl}/${path}`,
      };
      projects.set(id, {
        project,
        hidden,
        mergeRequests: new Map(),
        repositories: new Map(),
        pipelines: new Map(),
      });
      return project;
    },
    addMergeRequest: (projectId, input) => {
      const record = mustProject(projectId);
      const { path_with_namespace: path } = record.project;
      const at = input.created_at ?? iso();
      const author = input.author ?? { username: 'dev', name: 'Dev Eloper' };
      const mr: MergeRequestRecord = {
        id: nextMergeRequestId++,
        iid: input.iid,
        project_id: record.project.id,
        title: input.title,
        description: '',
        state: 'opened',
        created_at: at,
        updated_at: at,
        merged_at: null,
        closed_at: null,
        merged_by: null,
        merge_user: null,
        closed_by: null,
        target_branch: record.project.default_branch,
        source_branch: input.source_branch,
        source_project_id: input.source_project_id ?? record.project.id,
        target_project_id: record.project.id,
        author: user(author.username, author.name),
        draft: false,
        sha: input.sha,
        web_url: `${baseUrl}/${path}/-/merge_requests/${input.iid}`,
        headPipelineId: null,
      };
      const { iid: _iid, source_project_id: _source, created_at: _at, ...patch } = input;
      applyPatch(record, mr, patch);
      record.mergeRequests.set(input.iid, mr);
      return render(record, mr, true);
    },
    updateMergeRequest: (projectId, iid, patch) => {
      const record = mustProject(projectId);
      const mr = record.mergeRequests.get(iid);
      if (!mr) throw new Error(`GitLab stand-in: no merge request !${iid}`);
      applyPatch(record, mr, patch);
      return render(record, mr, true);
    },
    mergeRequest: (projectId, iid) => {
      const record = findProject(projectId);
      const mr = record?.mergeRequests.get(iid);
      return record && mr ? render(record, mr, true) : undefined;
    },
    addRegistryRepository: (projectId, input) => {
      const record = mustProject(projectId);
      const name = input.name ?? '';
      // GitLab stores registry paths lower case (Docker requires it): project Acme/Shop has
      // repository acme/shop (gitlab-org/gitlab-ce merge request 4420, issue 17959).
      const path = (
        input.path ?? `${record.project.path_with_namespace}${name ? `/${name}` : ''}`
      ).toLowerCase();
      const repository: GitLabRegistryRepository = {
        id: input.id,
        name,
        path,
        location: `registry.example.test/${path}`,
      };
      record.repositories.set(input.id, { repository, tags: new Map() });
      return repository;
    },
    addRegistryTag: (projectId, repositoryId, tagName, tagOptions = {}) => {
      const repo = mustProject(projectId).repositories.get(repositoryId);
      if (!repo) throw new Error(`GitLab stand-in: no registry repository ${repositoryId}`);
      const { path, location } = repo.repository;
      const digest =
        tagOptions.digest ??
        `sha256:${createHash('sha256').update(`${location}:${tagName}`).digest('hex')}`;
      const tag: GitLabRegistryTag = {
        name: tagName,
        path: `${path}:${tagName}`,
        location: `${location}:${tagName}`,
        digest,
      };
      repo.tags.set(tagName, tag);
      return tag;
    },
    addPipeline: (projectId, input) => savePipeline(mustProject(projectId), input),
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
    environments: (projectId) => environments.all(mustProject(projectId).project.id),
  };
}
