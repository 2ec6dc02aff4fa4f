import type { Router } from './gitlab-router.js';
import type { GitLabState, ProjectRecord } from './gitlab-state.js';
import type { GitLabProject } from './gitlab-types.js';
import { json } from './http.js';

/** Projects and the token describing itself. */

export function projectRoutes(router: Router, state: GitLabState): void {
  // The token describing itself (GitLab 16.0+, "Get single personal access token":
  // docs.gitlab.com/api/personal_access_tokens): scopes, active, expires_at.
  router.route('GET', '/personal_access_tokens/self', () =>
    json(200, { scopes: state.tokenScopes, active: true, expires_at: null }),
  );
  router.project('GET', '/projects/:id', (record) => json(200, projectAnswer(state, record)));
}

/**
 * The single-project answer carries `visibility` and the token user's `permissions`
 * (docs.gitlab.com/api/projects, "Get a single project"): its own membership under
 * `project_access`, one through the group under `group_access`, each null when there is
 * none (gitlab-org/gitlab#3754 shows the shape). The stand-in's token is a direct member.
 */
function projectAnswer(state: GitLabState, record: ProjectRecord) {
  return {
    ...record.project,
    visibility: record.visibility,
    permissions: {
      project_access: { access_level: state.tokenAccessLevel, notification_level: 3 },
      group_access: null,
    },
  };
}

export function addProject(
  state: GitLabState,
  {
    id,
    path,
    hidden = false,
    visibility = 'private',
  }: { id: number; path: string; hidden?: boolean; visibility?: ProjectRecord['visibility'] },
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
    visibility,
    mergeRequests: new Map(),
    repositories: new Map(),
    pipelines: new Map(),
  });
  return project;
}
