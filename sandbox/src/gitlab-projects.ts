import type { Router } from './gitlab-router.js';
import type { GitLabState } from './gitlab-state.js';
import type { GitLabProject } from './gitlab-types.js';
import { json } from './http.js';

/** Projects and the token describing itself. */

export function projectRoutes(router: Router, state: GitLabState): void {
  // The token describing itself (GitLab 16.0+, "Get single personal access token":
  // docs.gitlab.com/api/personal_access_tokens): scopes, active, expires_at.
  router.route('GET', '/personal_access_tokens/self', () =>
    json(200, { scopes: state.tokenScopes, active: true, expires_at: null }),
  );
  router.project('GET', '/projects/:id', (record) => json(200, record.project));
}

export function addProject(
  state: GitLabState,
  { id, path, hidden = false }: { id: number; path: string; hidden?: boolean },
): GitLabProject {
  const project: GitLabProject = {
    id,
    path_with_namespace: path,
    default_branch: 'main',
    web_url: `${state.baseUrl}/${path}`,
  };
  state.projects.set(id, {
    project,
    hidden,
    mergeRequests: new Map(),
    repositories: new Map(),
    pipelines: new Map(),
  });
  return project;
}
