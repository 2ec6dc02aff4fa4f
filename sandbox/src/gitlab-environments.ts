import { paginated } from './gitlab-pagination.js';
import { readField } from './gitlab-query.js';
import { listRequest, type Params, type ProjectHandler, type Router } from './gitlab-router.js';
import { ACCESS, type GitLabState } from './gitlab-state.js';
import { type HttpReply, json, type RecordedRequest } from './http.js';

/**
 * GitLab's environments of one project (REST v4, docs.gitlab.com/api/environments):
 * list (filtered by `name`, `search`, `states`), create, edit, stop, delete.
 * What the stand-in holds to:
 * - Names may contain only letters, digits, '-', '_', '/', '$', '{', '}', '.'
 *   and spaces, and must not start or end with '/' (GitLab's validation
 *   message, quoted in gitlab-foss issues 37638 and 59520).
 * - A name is unique per project: a second one is answered 400
 *   `{"message":{"name":["has already been taken"]}}`.
 * - `external_url` (app/models/environment.rb since GitLab 15.3, which dropped the
 *   http(s)-only AddressableUrlValidator so that a deploy job's odd `environment:url`
 *   no longer fails the deployment, gitlab-org/gitlab#337417): blank is stored as null;
 *   at most 255 characters ("is too long (maximum is 255 characters)"); the schemes
 *   `data`, `javascript` and `vbscript` are refused ("javascript scheme is not allowed",
 *   Gitlab::Utils::SanitizeNodeLink::UNSAFE_PROTOCOLS), and what Addressable cannot
 *   parse is "URI is invalid". The API answers a refusal with render_validation_error!:
 *   400 `{"message":{"external_url":[...]}}`, the same shape as a bad name.
 * - States, from the model's state machine: `stop` takes an environment whose last
 *   deployment has an on_stop job to `stopping` (the job runs; the environment is
 *   `stopped` when it succeeds and back to `available` when it fails, MRs 86478 and
 *   132300, issues 332301 and 363197), and one without to `stopped` at once. A plain
 *   stop of an environment that is not `available` changes nothing and answers 200
 *   (`stop_with_actions!` returns early). `force=true` skips the on_stop jobs and
 *   takes `available` or `stopping` to `stopped` (`stop_complete`; a forced stop of a
 *   stopped one is answered 200 too, MR 256021). Environments the API creates have no
 *   deployment, so no on_stop job: `deployWithStopAction` stands for a CI deploy job.
 * - Only a stopped environment is deleted (a `stopping` one neither); the stand-in
 *   refuses the others 403, the stricter of the behaviours GitLab versions show. Deleting
 *   it deletes its deployments.
 * - `search` matches names that start with it, case aside (Environment.for_name_like,
 *   `LOWER(name) LIKE LOWER(?) || '%'`), and "must be at least 3 characters long"
 *   (Environments API); `states` takes `available`, `stopping` or `stopped`.
 * - Deployments API (lib/api/deployments.rb, `POST /projects/:id/deployments`): requires
 *   `environment`, `sha`, `ref`, `tag` and `status` (running, success, failed, canceled);
 *   a ref the project does not have is 400 `{"message":{"ref":["The branch or tag does not
 *   exist"]}}`; the environment is found or created by name, and a `success` starts it
 *   (Deployments::UpdateEnvironmentService fires `start`: stopped or stopping to
 *   available). Such a deployment has no CI job, so no on_stop job follows it.
 */
export interface GitLabEnvironment {
  id: number;
  name: string;
  slug: string;
  external_url: string | null;
  state: 'available' | 'stopping' | 'stopped';
  tier: string;
  created_at: string;
  updated_at: string;
}

/** A deployment as the stand-in keeps it; `deployable` is the CI job that made it, if any. */
export interface Deployment {
  id: number;
  sha: string;
  ref: string;
  status: string;
  deployable: { name: string } | null;
}

const DEPLOYMENT_STATUSES = new Set(['running', 'success', 'failed', 'canceled']);
const ENVIRONMENT_STATES = new Set(['available', 'stopping', 'stopped']);

/** Whether a JSON body carries the field at all (a Boolean `tag: false` is there). */
function bodyHas(request: RecordedRequest, field: string): boolean {
  if (!String(request.headers['content-type'] ?? '').includes('application/json')) return false;
  try {
    return field in (JSON.parse(request.body || '{}') as Record<string, unknown>);
  } catch {
    return false;
  }
}

const NAME = /^[A-Za-z0-9_\-/${}. ]+$/;
const UNSAFE_SCHEMES = new Set(['data', 'javascript', 'vbscript']);

type Errors = Record<string, string[]>;

function nameErrors(name: string): string[] {
  if (NAME.test(name) && !name.startsWith('/') && !name.endsWith('/')) return [];
  return [
    "can contain only letters, digits, '-', '_', '/', '$', '{', '}', '.', and spaces, but it cannot start or end with '/'",
  ];
}

/** Environment#safe_external_url and its length rule, in the order Rails runs them. */
function externalUrlErrors(url: string): string[] {
  const errors: string[] = [];
  if (url.length > 255) errors.push('is too long (maximum is 255 characters)');
  const scheme = /^([^:/?#]+):/.exec(url)?.[1];
  // Addressable refuses a scheme that does not start with a letter, and a port that is not a number.
  const port = /^[^:/?#]+:\/\/[^/?#]*:([^/?#@]*)(?:[/?#]|$)/.exec(url)?.[1];
  if ((scheme && !/^[A-Za-z][A-Za-z0-9+.-]*$/.test(scheme)) || (port && !/^\d+$/.test(port))) {
    errors.push('URI is invalid');
  } else if (scheme && UNSAFE_SCHEMES.has(scheme.toLowerCase())) {
    errors.push(`${scheme.toLowerCase()} scheme is not allowed`);
  }
  return errors;
}

/** render_validation_error!: 400 with each refused field's messages. */
function refused(errors: Errors): HttpReply | undefined {
  const fields = Object.entries(errors).filter(([, messages]) => messages.length > 0);
  return fields.length > 0 ? json(400, { message: Object.fromEntries(fields) }) : undefined;
}

/** `force` as Grape reads a Boolean from a JSON body, a form or the query. */
function forced(request: RecordedRequest): boolean {
  const type = String(request.headers['content-type'] ?? '');
  if (type.includes('application/json') && request.body) {
    try {
      const value = (JSON.parse(request.body) as Record<string, unknown>).force;
      if (value === true) return true;
    } catch {
      return false;
    }
  }
  return ['true', '1'].includes(readField(request, 'force') ?? '');
}

export class EnvironmentStore {
  private readonly byProject = new Map<number, Map<number, GitLabEnvironment>>();
  /** Environments whose last deployment came from a CI job with `environment:on_stop`. */
  private readonly withStopJob = new Set<number>();
  private readonly deployments = new Map<number, Deployment[]>();
  private nextId = 700;

  constructor(private readonly iso: () => string) {}

  all(projectId: number): GitLabEnvironment[] {
    return [...(this.byProject.get(projectId)?.values() ?? [])].map((e) => ({ ...e }));
  }

  list(projectId: number, query: URLSearchParams): GitLabEnvironment[] {
    const name = query.get('name');
    const search = query.get('search')?.toLowerCase();
    const states = query.get('states');
    return this.all(projectId).filter(
      (e) =>
        (!name || e.name === name) &&
        (!search || e.name.toLowerCase().startsWith(search)) &&
        (!states || e.state === states),
    );
  }

  /** The deployments GitLab keeps of the environment `name`, oldest first. */
  deploymentsOf(projectId: number, name: string): Deployment[] {
    const environment = [...this.of(projectId).values()].find((e) => e.name === name);
    return environment ? [...(this.deployments.get(environment.id) ?? [])] : [];
  }

  deploy(projectId: number, request: RecordedRequest, refs: Set<string>): HttpReply {
    const fields = ['environment', 'sha', 'ref', 'tag', 'status'] as const;
    const missing = fields.find(
      (field) => readField(request, field) === undefined && !bodyHas(request, field),
    );
    if (missing) return json(400, { error: `${missing} is missing` });
    const status = readField(request, 'status') ?? '';
    if (!DEPLOYMENT_STATUSES.has(status))
      return json(400, { error: 'status does not have a valid value' });
    const ref = readField(request, 'ref') ?? '';
    if (!refs.has(ref))
      return json(400, { message: { ref: ['The branch or tag does not exist'] } });
    const name = readField(request, 'environment') ?? '';
    const refusal = refused({ name: nameErrors(name) });
    if (refusal) return refusal;
    const found = [...this.of(projectId).values()].find((e) => e.name === name);
    const environment = found ?? this.add(projectId, name, null, undefined);
    const deployment: Deployment = {
      id: this.nextId++,
      sha: readField(request, 'sha') ?? '',
      ref,
      status,
      deployable: null,
    };
    this.record(environment.id, deployment);
    if (status === 'success') {
      this.moveTo(environment, 'available');
      this.withStopJob.delete(environment.id);
    }
    return json(201, deployment);
  }

  create(projectId: number, request: RecordedRequest): HttpReply {
    const name = readField(request, 'name') ?? '';
    if (!name) return json(400, { error: 'name is missing' });
    const url = readField(request, 'external_url') || null;
    const environments = this.of(projectId);
    const taken = [...environments.values()].some((e) => e.name === name);
    const refusal = refused({
      name: [...nameErrors(name), ...(taken ? ['has already been taken'] : [])],
      external_url: url === null ? [] : externalUrlErrors(url),
    });
    if (refusal) return refusal;
    const environment = this.add(projectId, name, url, readField(request, 'tier'));
    return json(201, environment);
  }

  edit(projectId: number, id: number, request: RecordedRequest): HttpReply {
    const environment = this.of(projectId).get(id);
    if (!environment) return json(404, { message: '404 Environment Not Found' });
    const url = readField(request, 'external_url');
    if (url) {
      const refusal = refused({ external_url: externalUrlErrors(url) });
      if (refusal) return refusal;
    }
    if (url !== undefined) environment.external_url = url || null;
    environment.updated_at = this.iso();
    return json(200, environment);
  }

  stop(projectId: number, id: number, request: RecordedRequest): HttpReply {
    const environment = this.of(projectId).get(id);
    if (!environment) return json(404, { message: '404 Environment Not Found' });
    if (forced(request)) {
      this.moveTo(environment, 'stopped');
    } else if (environment.state === 'available') {
      this.moveTo(environment, this.withStopJob.has(id) ? 'stopping' : 'stopped');
    }
    return json(200, environment);
  }

  remove(projectId: number, id: number): HttpReply {
    const environments = this.of(projectId);
    const environment = environments.get(id);
    if (!environment) return json(404, { message: '404 Environment Not Found' });
    if (environment.state !== 'stopped') return json(403, { message: '403 Forbidden' });
    environments.delete(id);
    this.withStopJob.delete(id);
    this.deployments.delete(id);
    return { status: 204, headers: {}, body: '' };
  }

  /**
   * A CI job deployed to `name` and declares `environment:on_stop`: the environment
   * exists (made if need be), is `available` again (a deployment starts a stopped one),
   * and stopping it now runs that job.
   */
  deployWithStopAction(projectId: number, name: string, url?: string): GitLabEnvironment {
    const found = [...this.of(projectId).values()].find((e) => e.name === name);
    const environment = found ?? this.add(projectId, name, url ?? null, undefined);
    if (url !== undefined) environment.external_url = url;
    this.moveTo(environment, 'available');
    this.withStopJob.add(environment.id);
    this.record(environment.id, {
      id: this.nextId++,
      sha: '',
      ref: '',
      status: 'success',
      deployable: { name: 'deploy' },
    });
    return { ...environment };
  }

  /** The on_stop job of a `stopping` environment ends: `stopped`, or `available` if it failed. */
  finishStopJob(projectId: number, name: string, outcome: 'success' | 'failed'): GitLabEnvironment {
    const environment = [...this.of(projectId).values()].find((e) => e.name === name);
    if (!environment) throw new Error(`GitLab stand-in: no environment ${name}`);
    if (environment.state === 'stopping') {
      this.moveTo(environment, outcome === 'success' ? 'stopped' : 'available');
    }
    return { ...environment };
  }

  private add(
    projectId: number,
    name: string,
    url: string | null,
    tier: string | undefined,
  ): GitLabEnvironment {
    const at = this.iso();
    const environment: GitLabEnvironment = {
      id: this.nextId++,
      name,
      slug: `${name
        .toLowerCase()
        .replace(/[^a-z0-9]/g, '-')
        .slice(0, 17)}-${this.nextId.toString(36)}`,
      external_url: url,
      state: 'available',
      tier: tier ?? 'development',
      created_at: at,
      updated_at: at,
    };
    this.of(projectId).set(environment.id, environment);
    return environment;
  }

  private record(environmentId: number, deployment: Deployment): void {
    this.deployments.set(environmentId, [
      ...(this.deployments.get(environmentId) ?? []),
      deployment,
    ]);
  }

  private moveTo(environment: GitLabEnvironment, state: GitLabEnvironment['state']): void {
    if (environment.state === state) return;
    environment.state = state;
    environment.updated_at = this.iso();
  }

  private of(projectId: number): Map<number, GitLabEnvironment> {
    let environments = this.byProject.get(projectId);
    if (!environments) {
      environments = new Map();
      this.byProject.set(projectId, environments);
    }
    return environments;
  }
}

export function environmentRoutes(router: Router, state: GitLabState): void {
  const { environments } = state;
  // Creating, stopping and deleting environments needs the Developer role besides the api
  // scope (docs.gitlab.com/user/permissions, "Create, edit, and stop environments"; the API
  // runs authorize! :create_environment / :update_environment / :stop_environment, and
  // forbidden! answers 403 "403 Forbidden"): a Reporter's token is refused every write.
  const developer =
    (handler: ProjectHandler): ProjectHandler =>
    (record, params, request) =>
      state.tokenAccessLevel < ACCESS.developer
        ? json(403, { message: '403 Forbidden' })
        : handler(record, params, request);
  const id = (params: Params) => Number(params.environment_id);
  router.project('GET', '/projects/:id/environments', (record, _params, request) => {
    const { query } = request;
    // "name: Mutually exclusive with search" (Environments API, List environments);
    // Grape answers such a pair with 400 "<a>, <b> are mutually exclusive".
    if (query.has('name') && query.has('search'))
      return json(400, { error: 'name, search are mutually exclusive' });
    if ((query.get('search') ?? '').length > 0 && (query.get('search') ?? '').length < 3)
      return json(400, { message: '400 Bad request - Search query is less than 3 characters' });
    if (query.has('states') && !ENVIRONMENT_STATES.has(query.get('states') ?? ''))
      return json(400, { error: 'states does not have a valid value' });
    return paginated(environments.list(record.project.id, query), listRequest(state, request));
  });
  router.project(
    'POST',
    '/projects/:id/deployments',
    developer((record, _params, request) => {
      const refs = new Set([
        record.project.default_branch,
        ...[...record.mergeRequests.values()]
          .filter((mr) => mr.source_project_id === record.project.id)
          .map((mr) => mr.source_branch),
      ]);
      return environments.deploy(record.project.id, request, refs);
    }),
  );
  router.project(
    'POST',
    '/projects/:id/environments',
    developer((record, _params, request) => environments.create(record.project.id, request)),
  );
  router.project(
    'PUT',
    '/projects/:id/environments/:environment_id',
    developer((record, params, request) =>
      environments.edit(record.project.id, id(params), request),
    ),
  );
  router.project(
    'POST',
    '/projects/:id/environments/:environment_id/stop',
    developer((record, params, request) =>
      environments.stop(record.project.id, id(params), request),
    ),
  );
  router.project(
    'DELETE',
    '/projects/:id/environments/:environment_id',
    developer((record, params) => environments.remove(record.project.id, id(params))),
  );
}
