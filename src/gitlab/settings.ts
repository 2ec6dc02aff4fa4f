/** What the GitLab adapter needs. */
export interface GitLabSettings {
  url: string;
  token: string;
  /** The project's id or path. */
  project: string;
  timeoutMs: number;
  /** The registry repository's path or name, when it is not the project's own. */
  registryRepository?: string | undefined;
  /** Show each app as a GitLab environment (needs a token with the `api` scope). */
  environments?: boolean;
  /** Show each app in one note on its merge request (needs the `api` scope and a role that may comment). */
  mrNotes?: boolean;
}
