/** GitLab REST v4 objects as the stand-in answers them (snake_case, as on the wire). */

export type MergeRequestState = 'opened' | 'closed' | 'locked' | 'merged';

export interface GitLabUser {
  id: number;
  username: string;
  name: string;
  state: 'active';
  avatar_url: string | null;
  web_url: string;
}

export interface GitLabProject {
  id: number;
  name: string;
  path: string;
  path_with_namespace: string;
  name_with_namespace: string;
  description: string | null;
  default_branch: string;
  visibility: 'private' | 'internal' | 'public';
  web_url: string;
  http_url_to_repo: string;
  container_registry_enabled: boolean;
  container_registry_image_prefix: string;
  namespace: { id: number; name: string; path: string; kind: 'group'; full_path: string };
  created_at: string;
  last_activity_at: string;
}

export interface GitLabPipeline {
  id: number;
  iid: number;
  project_id: number;
  sha: string;
  ref: string;
  status: string;
  source: string;
  created_at: string;
  updated_at: string;
  web_url: string;
}

export interface GitLabMergeRequest {
  id: number;
  iid: number;
  project_id: number;
  title: string;
  description: string;
  state: MergeRequestState;
  created_at: string;
  updated_at: string;
  merged_at: string | null;
  closed_at: string | null;
  /**
   * Who merged or closed it, in the single and the list answer alike (exposed in
   * the list by gitlab-foss MR 22806). `merged_by` is deprecated since GitLab
   * 14.7 in favour of `merge_user`; GitLab still sends both.
   */
  merged_by: GitLabUser | null;
  merge_user: GitLabUser | null;
  closed_by: GitLabUser | null;
  target_branch: string;
  source_branch: string;
  source_project_id: number;
  target_project_id: number;
  author: GitLabUser;
  draft: boolean;
  work_in_progress: boolean;
  merge_status: string;
  detailed_merge_status: string;
  sha: string;
  merge_commit_sha: string | null;
  squash_commit_sha: string | null;
  references: { short: string; relative: string; full: string };
  web_url: string;
  /** Only in the single-MR answer; GitLab's list answer has no `head_pipeline`. */
  head_pipeline?: GitLabPipeline | null;
}

export interface GitLabRegistryRepository {
  id: number;
  name: string;
  path: string;
  project_id: number;
  location: string;
  created_at: string;
  cleanup_policy_started_at: string | null;
  status: string | null;
}

export interface GitLabRegistryTag {
  name: string;
  path: string;
  location: string;
  revision: string;
  short_revision: string;
  digest: string;
  created_at: string;
  total_size: number;
}

export interface GitLabNote {
  id: number;
  type: null;
  body: string;
  attachment: null;
  author: GitLabUser;
  created_at: string;
  updated_at: string;
  system: false;
  noteable_id: number;
  noteable_type: 'MergeRequest';
  noteable_iid: number;
  project_id: number;
  resolvable: false;
  confidential: false;
  internal: false;
}

export interface PipelineInput {
  id: number;
  status: string;
  sha?: string;
  ref?: string;
  web_url?: string;
}

export interface MergeRequestInput {
  iid: number;
  title: string;
  state?: MergeRequestState;
  source_branch: string;
  sha: string;
  target_branch?: string;
  description?: string;
  draft?: boolean;
  author?: { username: string; name: string };
  /** Who changes the state (merges or closes it); the author when not given. */
  actor?: { username: string; name: string };
  head_pipeline?: PipelineInput | null;
  /** A fork's project id when the MR comes from a fork (its branch and images live there). */
  source_project_id?: number;
  created_at?: string;
  updated_at?: string;
}

export type MergeRequestPatch = Partial<Omit<MergeRequestInput, 'iid'>>;
