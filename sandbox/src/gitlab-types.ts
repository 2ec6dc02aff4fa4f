/**
 * GitLab REST v4 objects as the stand-in answers them (snake_case, as on the wire):
 * the fields the bot parses (src/gitlab/schemas.ts) and those a reader of a real
 * answer would miss, not every field GitLab sends.
 */

export type MergeRequestState = 'opened' | 'closed' | 'locked' | 'merged';

export interface GitLabUser {
  username: string;
  name: string;
}

export interface GitLabProject {
  id: number;
  path_with_namespace: string;
  default_branch: string;
  web_url: string;
}

export interface GitLabPipeline {
  id: number;
  sha: string;
  ref: string;
  status: string;
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
  sha: string;
  web_url: string;
  /** Only in the single-MR answer; GitLab's list answer has no `head_pipeline`. */
  head_pipeline?: GitLabPipeline | null;
}

export interface GitLabRegistryRepository {
  id: number;
  name: string;
  path: string;
  location: string;
}

export interface GitLabRegistryTag {
  name: string;
  path: string;
  location: string;
  digest: string;
}

export interface PipelineInput {
  id: number;
  status: string;
  sha?: string;
  ref?: string;
}

export interface MergeRequestInput {
  iid: number;
  title: string;
  state?: MergeRequestState;
  source_branch: string;
  sha: string;
  draft?: boolean;
  author?: { username: string; name: string };
  /** Who changes the state (merges or closes it); the author when not given. */
  actor?: { username: string; name: string };
  head_pipeline?: PipelineInput | null;
  /** A fork's project id when the MR comes from a fork (its branch and images live there). */
  source_project_id?: number;
  created_at?: string;
}

export type MergeRequestPatch = Partial<
  Omit<MergeRequestInput, 'iid' | 'source_project_id' | 'created_at'>
>;
