/** What the GitLab adapter needs. */
export interface GitLabSettings {
  url: string;
  token: string;
  /** The project's id or path. */
  project: string;
  timeoutMs: number;
  /** The registry repository's path or name, when it is not the project's own. */
  registryRepository?: string | undefined;
}
