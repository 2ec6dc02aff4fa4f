import { z } from 'zod';
import type { Clock } from '../core/clock.js';
import { ReviewAppError } from '../core/errors.js';
import type { EnvironmentTracker, ShownApp } from '../core/ports.js';
import type { GitLabCalls } from './gitlab-calls.js';
import { parse } from './gitlab-calls.js';

const environmentSchema = z.object({
  id: z.number(),
  name: z.string(),
  state: z.string(),
  external_url: z.string().nullish(),
});

type Environment = z.output<typeof environmentSchema>;

/** GitLab's largest page: the reconcile lists every available review environment this way. */
const PAGE = 100;
/** How long a relaunch waits for a team's on_stop job to take the environment to `stopped`. */
const STOPPING_WAIT_MS = 30_000;
const STOPPING_POLL_MS = 5_000;

/**
 * GitLab allows only letters, digits, '-', '_', '/', '$', '{', '}', '.' and spaces in
 * environment names, so `!42` becomes `mr-42`.
 */
const PREFIX = 'review/mr-';

function environmentName(mr: number): string {
  return `${PREFIX}${mr}`;
}

/**
 * GitLab environments show a review app's URL under Operate › Environments
 * (GITLAB_ENVIRONMENTS, with a token that has the `api` scope). Calls go through the GitLab
 * source's calls: the same client, the same waits on Retry-After, the same wording.
 */
export class GitLabEnvironments implements EnvironmentTracker {
  /**
   * The available environments the last `available()` listed, by MR: the reconcile stops
   * them by id, without looking each up again. Ids stay (environments are never deleted
   * here), and a plain stop of one no longer available changes nothing.
   */
  private readonly listed = new Map<number, Environment>();

  constructor(
    private readonly calls: GitLabCalls,
    private readonly clock: Clock,
  ) {}

  private get project(): string {
    return this.calls.config.project;
  }

  async show(app: ShownApp): Promise<void> {
    const name = environmentName(app.mr);
    let found = await this.find(name);
    if (found?.state === 'stopping') found = await this.untilStopped(name, found);
    if (found?.state === 'available' || found?.state === 'stopping') {
      if (found.external_url !== app.url) await this.edit(found, app.url);
      return;
    }
    if (!found) {
      await this.call(`environment ${name}`, async () =>
        (await this.calls.api()).Environments.create(this.project, name, { externalUrl: app.url }),
      );
      return;
    }
    // A stopped environment comes back with a deployment (GitLab's Deployments API starts its
    // environment: Deployments::UpdateEnvironmentService fires `start`, stopped -> available),
    // its URL set first so that it is never available at the old one. Deleting it and making
    // it anew would delete the deployments a team's CI made to it.
    await this.edit(found, app.url);
    await this.call(`deployment to ${name}`, async () =>
      (await this.calls.api()).Deployments.create(this.project, name, app.sha, app.branch, false, {
        status: 'success',
      }),
    );
  }

  /** A plain stop, so that on_stop jobs of the team's CI run (the environment waits in `stopping`). */
  async stop(mr: number): Promise<void> {
    const listed = this.listed.get(mr);
    this.listed.delete(mr);
    const found = listed ?? (await this.find(environmentName(mr)));
    if (found?.state === 'available') await this.stopEnvironment(found);
  }

  /**
   * The MRs whose review environment GitLab shows as available, read a page of 100 at a time:
   * what the bot still owes GitLab after a stop that failed, here or before a restart.
   */
  async available(): Promise<number[]> {
    const raw = await this.call('review environments', async () =>
      (await this.calls.api()).Environments.all(this.project, {
        search: PREFIX,
        states: 'available',
        perPage: PAGE,
      }),
    );
    this.listed.clear();
    for (const environment of parse(z.array(environmentSchema), raw, 'environments')) {
      const iid = /^review\/mr-(\d+)$/.exec(environment.name)?.[1];
      if (iid !== undefined && environment.state === 'available') {
        this.listed.set(Number(iid), environment);
      }
    }
    return [...this.listed.keys()];
  }

  /**
   * A team's on_stop job still runs: the environment is left to it (a forced stop and a
   * delete would wipe its deployments, and the job would stop it again on success), for a
   * while. Still `stopping` after that: its URL is updated, and the next reconcile sees it.
   */
  private async untilStopped(name: string, found: Environment): Promise<Environment | undefined> {
    let current: Environment | undefined = found;
    for (let waited = 0; waited < STOPPING_WAIT_MS && current?.state === 'stopping'; ) {
      await this.clock.sleep(STOPPING_POLL_MS);
      waited += STOPPING_POLL_MS;
      current = await this.find(name);
    }
    return current;
  }

  private async stopEnvironment(found: Environment): Promise<void> {
    await this.call(`environment ${found.name}`, async () =>
      (await this.calls.api()).Environments.stop(this.project, found.id),
    );
  }

  private async edit(found: Environment, url: string): Promise<void> {
    await this.call(`environment ${found.name}`, async () =>
      (await this.calls.api()).Environments.edit(this.project, found.id, { externalUrl: url }),
    );
  }

  private async find(name: string): Promise<Environment | undefined> {
    const raw = await this.call(`environment ${name}`, async () =>
      (await this.calls.api()).Environments.all(this.project, { name, maxPages: 1 }),
    );
    return parse(z.array(environmentSchema), raw, 'environments')[0];
  }

  /** GitLab's refusals of these calls name the fix: the api scope and the Developer role. */
  private call<T>(what: string, request: () => Promise<T>): Promise<T> {
    return this.calls.call(what, request, {
      // A 404 is the project or the environment gone: the usual words say which.
      refused: (status) =>
        status === 404
          ? undefined
          : new ReviewAppError(
              'GITLAB_UNAUTHORIZED',
              `GitLab refused the bot's changes to its environments (HTTP ${status}, for ${what}): GITLAB_ENVIRONMENTS needs a GITLAB_TOKEN with the api scope whose user has the Developer role.`,
              { status },
            ),
    });
  }
}
