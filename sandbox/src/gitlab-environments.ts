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
 *   refuses the others 403, the stricter of the behaviours GitLab versions show.
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
  private nextId = 700;

  constructor(private readonly iso: () => string) {}

  all(projectId: number): GitLabEnvironment[] {
    return [...(this.byProject.get(projectId)?.values() ?? [])].map((e) => ({ ...e }));
  }

  list(projectId: number, query: URLSearchParams): GitLabEnvironment[] {
    const name = query.get('name');
    const search = query.get('search');
    const states = query.get('states');
    return this.all(projectId).filter(
      (e) =>
        (!name || e.name === name) &&
        (!search || e.name.includes(search)) &&
        (!states || e.state === states),
    );
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
  router.project('GET', '/projects/:id/environments', (record, _params, request) =>
    // "name: Mutually exclusive with search" (Environments API, List environments);
    // Grape answers such a pair with 400 "<a>, <b> are mutually exclusive".
    request.query.has('name') && request.query.has('search')
      ? json(400, { error: 'name, search are mutually exclusive' })
      : paginated(environments.list(record.project.id, request.query), listRequest(state, request)),
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
