import { findProject, type GitLabState, type ProjectRecord } from './gitlab-state.js';
import { type HttpReply, json, type RecordedRequest } from './http.js';

/** Routing of GitLab REST v4 paths (`/api/v4/...`, `:name` segments) to handlers. */

export type Params = Record<string, string>;
export type RouteHandler = (params: Params, request: RecordedRequest) => HttpReply;
/** A handler under `/projects/:id`, given the project the token can see. */
export type ProjectHandler = (
  record: ProjectRecord,
  params: Params,
  request: RecordedRequest,
) => HttpReply;

interface Route {
  method: string;
  pattern: string;
  segments: string[];
  handler: RouteHandler;
}

export const API_PREFIX = '/api/v4';

export const notFound = (what = 'Not found') => json(404, { message: `404 ${what}` });

export class Router {
  private readonly routes: Route[] = [];

  constructor(private readonly state: GitLabState) {}

  route(method: string, pattern: string, handler: RouteHandler): void {
    this.routes.push({ method, pattern, segments: pattern.split('/').slice(1), handler });
  }

  /**
   * A route under `/projects/:id`. A project the token cannot see answers 404
   * Project Not Found, as one that does not exist (GitLab hides private projects so).
   */
  project(method: string, pattern: string, handler: ProjectHandler): void {
    this.route(method, pattern, (params, request) => {
      const record = findProject(this.state, params.id ?? '');
      return record && !record.hidden
        ? handler(record, params, request)
        : notFound('Project Not Found');
    });
  }

  match(method: string, path: string): { route: Route; params: Params } | undefined {
    if (!path.startsWith(`${API_PREFIX}/`)) return undefined;
    const parts = path.slice(API_PREFIX.length).split('/').slice(1);
    for (const candidate of this.routes) {
      if (candidate.method !== method || candidate.segments.length !== parts.length) continue;
      const params = matchSegments(candidate.segments, parts);
      if (params) return { route: candidate, params };
    }
    return undefined;
  }
}

function matchSegments(segments: string[], parts: string[]): Params | undefined {
  const params: Params = {};
  const ok = segments.every((segment, i) => {
    const part = parts[i] ?? '';
    if (!segment.startsWith(':')) return segment === part;
    if (part === '') return false;
    try {
      params[segment.slice(1)] = decodeURIComponent(part);
    } catch {
      return false;
    }
    return true;
  });
  return ok ? params : undefined;
}

/** What `paginated()` needs of a request to write GitLab's `link` header. */
export function listRequest(state: GitLabState, request: RecordedRequest) {
  return { baseUrl: state.baseUrl, path: request.path, query: request.query };
}
