import { z } from 'zod';
import type { EnvironmentTracker } from '../core/ports.js';
import { type GitLabApi, lazyGitLabClient } from './client.js';
import type { GitLabSettings } from './settings.js';

const environmentSchema = z.object({
  id: z.number(),
  name: z.string(),
  state: z.string(),
  external_url: z.string().nullish(),
});

/**
 * GitLab environments show a review app's URL on GitLab's side (GITLAB_ENVIRONMENTS,
 * with a token that has the `api` scope). GitLab allows only letters, digits,
 * '-', '_', '/', '$', '{', '}', '.' and spaces in names, so `!42` becomes `mr-42`.
 */
function environmentName(mr: number): string {
  return `review/mr-${mr}`;
}

export class GitLabEnvironments implements EnvironmentTracker {
  private readonly api: () => Promise<GitLabApi>;

  constructor(private readonly config: GitLabSettings) {
    this.api = lazyGitLabClient(config);
  }

  async show(mr: number, url: string): Promise<void> {
    const name = environmentName(mr);
    const found = await this.find(name);
    const { Environments } = await this.api();
    if (found?.state === 'available') {
      if (found.external_url !== url)
        await Environments.edit(this.config.project, found.id, { externalUrl: url });
      return;
    }
    // A stopped environment does not come back through the API: make it anew. One still
    // `stopping` (an on_stop job of the team's CI runs) cannot be deleted until stopped:
    // force it there, since the app it stood for is gone and the new one is live.
    if (found?.state === 'stopping')
      await Environments.stop(this.config.project, found.id, { force: 'true' });
    if (found) await Environments.remove(this.config.project, found.id);
    await Environments.create(this.config.project, name, { externalUrl: url });
  }

  /** A plain stop, so that on_stop jobs of the team's CI run (the environment waits in `stopping`). */
  async stop(mr: number): Promise<void> {
    const found = await this.find(environmentName(mr));
    const { Environments } = await this.api();
    if (found?.state === 'available') await Environments.stop(this.config.project, found.id);
  }

  private async find(name: string) {
    const { Environments } = await this.api();
    const raw = await Environments.all(this.config.project, { name, maxPages: 1 });
    return z.array(environmentSchema).parse(raw)[0];
  }
}
