import type { Gitlab } from '@gitbeaker/rest';
import { z } from 'zod';
import type { EnvironmentTracker } from '../core/ports.js';
import { createGitLabClient } from './requester.js';
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
export function environmentName(mr: number): string {
  return `review/mr-${mr}`;
}

export class GitLabEnvironments implements EnvironmentTracker {
  private readonly api: InstanceType<typeof Gitlab>;

  constructor(private readonly config: GitLabSettings) {
    // Our own requester: gitbeaker's retries 429 in milliseconds, ignoring Retry-After.
    this.api = createGitLabClient(config);
  }

  async show(mr: number, url: string): Promise<void> {
    const name = environmentName(mr);
    const found = await this.find(name);
    if (found?.state === 'available') {
      if (found.external_url !== url)
        await this.api.Environments.edit(this.config.project, found.id, { externalUrl: url });
      return;
    }
    // A stopped environment does not come back through the API: make it anew.
    if (found) await this.api.Environments.remove(this.config.project, found.id);
    await this.api.Environments.create(this.config.project, name, { externalUrl: url });
  }

  async stop(mr: number): Promise<void> {
    const found = await this.find(environmentName(mr));
    if (found?.state === 'available')
      await this.api.Environments.stop(this.config.project, found.id);
  }

  private async find(name: string) {
    const raw = await this.api.Environments.all(this.config.project, { name, maxPages: 1 });
    return z.array(environmentSchema).parse(raw)[0];
  }
}
