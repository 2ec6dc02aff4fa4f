import { paginated } from './gitlab-pagination.js';
import { readField } from './gitlab-query.js';
import { listRequest, type Params, type Router } from './gitlab-router.js';
import type { GitLabState } from './gitlab-state.js';
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
 * - Creating or editing does not change the state: an environment is
 *   `available` when created and `stopped` once stopped.
 * - Only a stopped environment is deleted; the stand-in refuses an available
 *   one, which is the stricter of the behaviours GitLab versions show.
 */
export interface GitLabEnvironment {
  id: number;
  name: string;
  slug: string;
  external_url: string | null;
  state: 'available' | 'stopped';
  tier: string;
  created_at: string;
  updated_at: string;
}

const NAME = /^[A-Za-z0-9_\-/${}. ]+$/;

export class EnvironmentStore {
  private readonly byProject = new Map<number, Map<number, GitLabEnvironment>>();
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
    if (!NAME.test(name) || name.startsWith('/') || name.endsWith('/')) {
      return json(400, {
        message: {
          name: [
            "can contain only letters, digits, '-', '_', '/', '$', '{', '}', '.', and spaces, but it cannot start or end with '/'",
          ],
        },
      });
    }
    const environments = this.of(projectId);
    if ([...environments.values()].some((e) => e.name === name)) {
      return json(400, { message: { name: ['has already been taken'] } });
    }
    const at = this.iso();
    const environment: GitLabEnvironment = {
      id: this.nextId++,
      name,
      slug: `${name
        .toLowerCase()
        .replace(/[^a-z0-9]/g, '-')
        .slice(0, 17)}-${this.nextId.toString(36)}`,
      external_url: readField(request, 'external_url') ?? null,
      state: 'available',
      tier: readField(request, 'tier') ?? 'development',
      created_at: at,
      updated_at: at,
    };
    environments.set(environment.id, environment);
    return json(201, environment);
  }

  edit(projectId: number, id: number, request: RecordedRequest): HttpReply {
    const environment = this.of(projectId).get(id);
    if (!environment) return json(404, { message: '404 Environment Not Found' });
    const url = readField(request, 'external_url');
    if (url !== undefined) environment.external_url = url;
    environment.updated_at = this.iso();
    return json(200, environment);
  }

  stop(projectId: number, id: number): HttpReply {
    const environment = this.of(projectId).get(id);
    if (!environment) return json(404, { message: '404 Environment Not Found' });
    environment.state = 'stopped';
    environment.updated_at = this.iso();
    return json(200, environment);
  }

  remove(projectId: number, id: number): HttpReply {
    const environments = this.of(projectId);
    const environment = environments.get(id);
    if (!environment) return json(404, { message: '404 Environment Not Found' });
    if (environment.state !== 'stopped') return json(403, { message: '403 Forbidden' });
    environments.delete(id);
    return { status: 204, headers: {}, body: '' };
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
  const id = (params: Params) => Number(params.environment_id);
  router.project('GET', '/projects/:id/environments', (record, _params, request) =>
    paginated(environments.list(record.project.id, request.query), listRequest(state, request)),
  );
  router.project('POST', '/projects/:id/environments', (record, _params, request) =>
    environments.create(record.project.id, request),
  );
  router.project('PUT', '/projects/:id/environments/:environment_id', (record, params, request) =>
    environments.edit(record.project.id, id(params), request),
  );
  router.project('POST', '/projects/:id/environments/:environment_id/stop', (record, params) =>
    environments.stop(record.project.id, id(params)),
  );
  router.project('DELETE', '/projects/:id/environments/:environment_id', (record, params) =>
    environments.remove(record.project.id, id(params)),
  );
}
