import type { EnvironmentStore } from './gitlab-environments.js';
import type { NoteStore } from './gitlab-notes.js';
import type {
  GitLabMergeRequest,
  GitLabPipeline,
  GitLabProject,
  GitLabRegistryRepository,
  GitLabRegistryTag,
  GitLabUser,
} from './gitlab-types.js';

/** What the GitLab stand-in knows: every route file reads and changes this one state. */

export interface MergeRequestRecord extends Omit<GitLabMergeRequest, 'head_pipeline'> {
  headPipelineId: number | null;
}

export interface RepositoryRecord {
  repository: GitLabRegistryRepository;
  tags: Map<string, GitLabRegistryTag>;
}

export interface ProjectRecord {
  project: GitLabProject;
  hidden: boolean;
  visibility: 'private' | 'internal' | 'public';
  mergeRequests: Map<number, MergeRequestRecord>;
  repositories: Map<number, RepositoryRecord>;
  pipelines: Map<number, GitLabPipeline>;
}

export interface GitLabState {
  /** The stand-in's own URL, known once it listens (web URLs and pagination links carry it). */
  baseUrl: string;
  tokenScopes: string[];
  /** The token's user, and its role in the projects (Gitlab::Access levels: 10 Guest … 50 Owner). */
  tokenUser: GitLabUser & { id: number };
  tokenAccessLevel: number;
  iso: () => string;
  projects: Map<number, ProjectRecord>;
  users: Map<string, GitLabUser>;
  environments: EnvironmentStore;
  notes: NoteStore;
  nextMergeRequestId: number;
}

/** Gitlab::Access levels (docs.gitlab.com/api/access_requests, valid access levels). */
export const ACCESS = {
  guest: 10,
  reporter: 20,
  developer: 30,
  maintainer: 40,
  owner: 50,
} as const;

/**
 * Whether the token's user sees the project's merge requests: in a private project a Guest
 * does not (gitlab-foss#1410, commit 57781294: Guests see MRs only of projects they can
 * read the code of); in a public or internal one everyone signed in does.
 */
export function tokenCanRead(state: GitLabState, record: ProjectRecord): boolean {
  return record.visibility !== 'private' || state.tokenAccessLevel >= ACCESS.reporter;
}

/** The user with this username, made on first mention (one object per user, as GitLab has). */
export function userOf(state: GitLabState, who: { username: string; name: string }): GitLabUser {
  let found = state.users.get(who.username);
  if (!found) {
    found = { username: who.username, name: who.name };
    state.users.set(who.username, found);
  }
  return found;
}

/** A project by numeric id or by path (GitLab matches the path case-insensitively). */
export function findProject(
  state: GitLabState,
  idOrPath: number | string,
): ProjectRecord | undefined {
  const key = String(idOrPath);
  if (/^\d+$/.test(key)) return state.projects.get(Number(key));
  const wanted = key.toLowerCase();
  for (const record of state.projects.values()) {
    if (record.project.path_with_namespace.toLowerCase() === wanted) return record;
  }
  return undefined;
}

/** For seeding methods: a project the test forgot to add is the test's mistake. */
export function mustProject(state: GitLabState, idOrPath: number | string): ProjectRecord {
  const found = findProject(state, idOrPath);
  if (!found) throw new Error(`GitLab stand-in: no project ${idOrPath}`);
  return found;
}
