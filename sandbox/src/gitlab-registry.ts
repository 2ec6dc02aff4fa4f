import { createHash } from 'node:crypto';
import { paginated } from './gitlab-pagination.js';
import { listRequest, notFound, type Router } from './gitlab-router.js';
import { type GitLabState, mustProject } from './gitlab-state.js';
import type { GitLabRegistryRepository, GitLabRegistryTag } from './gitlab-types.js';
import { json } from './http.js';

/** The container registry: a project's repositories and one tag by name. */

export function registryRoutes(router: Router, state: GitLabState): void {
  router.project('GET', '/projects/:id/registry/repositories', (record, _params, request) => {
    const list = [...record.repositories.values()].map(({ repository }) => repository);
    return paginated(list, listRequest(state, request));
  });
  router.project(
    'GET',
    '/projects/:id/registry/repositories/:repository_id/tags/:tag_name',
    (record, params) => {
      const repo = record.repositories.get(Number(params.repository_id));
      if (!repo) return notFound('Repository Not Found');
      const tag = repo.tags.get(params.tag_name ?? '');
      return tag ? json(200, tag) : notFound('Tag Not Found');
    },
  );
}

export function addRegistryRepository(
  state: GitLabState,
  projectId: number | string,
  input: { id: number; name?: string; path?: string },
): GitLabRegistryRepository {
  const record = mustProject(state, projectId);
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
}

export function addRegistryTag(
  state: GitLabState,
  projectId: number | string,
  repositoryId: number,
  tagName: string,
  options: { digest?: string } = {},
): GitLabRegistryTag {
  const repo = mustProject(state, projectId).repositories.get(repositoryId);
  if (!repo) throw new Error(`GitLab stand-in: no registry repository ${repositoryId}`);
  const { path, location } = repo.repository;
  const digest =
    options.digest ??
    `sha256:${createHash('sha256').update(`${location}:${tagName}`).digest('hex')}`;
  const tag: GitLabRegistryTag = {
    name: tagName,
    path: `${path}:${tagName}`,
    location: `${location}:${tagName}`,
    digest,
  };
  repo.tags.set(tagName, tag);
  return tag;
}
