import { Gitlab } from '@gitbeaker/rest';
import { describe, expect, it } from 'vitest';
import { ACTIONS } from '../../src/slack/ids.js';
import {
  ALICE,
  clickButton,
  eventually,
  launchedFromSlack,
  shown,
  startBotWorld,
} from '../support/bot.js';
import { cli } from '../support/cli.js';
import { PROJECT_ID, startWorld } from '../support/world.js';

const MINUTE = 60_000;

describe('GitLab environments (GITLAB_ENVIRONMENTS=true)', () => {
  it('shows the app as review/mr-42 with its URL, stops it when the app ends, and brings it back on relaunch', async () => {
    await using w = await startBotWorld({ env: { GITLAB_ENVIRONMENTS: 'true' } });
    w.gitlab.setTokenScopes(['api', 'read_registry']);
    w.addMergeRequest(42);
    const app = await launchedFromSlack(w, 42);
    const url = `http://${w.aws.networkInterface(app.arn)?.publicIp}:3000`;
    expect(w.gitlab.environments(PROJECT_ID)).toMatchObject([
      { name: 'review/mr-42', external_url: url, state: 'available' },
    ]);

    w.clock.advance(30 * MINUTE);
    await w.bot.watcher.round();
    expect(w.gitlab.environments(PROJECT_ID)).toMatchObject([
      { name: 'review/mr-42', state: 'stopped' },
    ]);

    await clickButton(w, app.status, ACTIONS.retry, 42);
    await eventually(() =>
      expect(w.gitlab.environments(PROJECT_ID)).toMatchObject([
        { name: 'review/mr-42', state: 'available' },
      ]),
    );
    const newest = w.aws.tasks().at(-1)?.taskArn as string;
    expect(w.gitlab.environments(PROJECT_ID)[0]?.external_url).toBe(
      `http://${w.aws.networkInterface(newest)?.publicIp}:3000`,
    );
  });

  it('a Stop in Slack or from the CLI stops the environment once: the watcher asks GitLab nothing more', async () => {
    await using w = await startBotWorld({ env: { GITLAB_ENVIRONMENTS: 'true' } });
    w.gitlab.setTokenScopes(['api', 'read_registry']);
    const environmentCalls = () =>
      w.gitlab.requests.filter((r) => r.path.includes('/environments')).length;
    w.addMergeRequest(42);
    w.addMergeRequest(43);
    const fromSlack = await launchedFromSlack(w, 42);
    await launchedFromSlack(w, 43);
    // The first round checks GitLab's environments against the apps; the next ones leave it for minutes.
    await w.bot.watcher.round();

    let before = environmentCalls();
    await clickButton(w, fromSlack.status, ACTIONS.stop, 42);
    await eventually(() =>
      expect(w.gitlab.environments(PROJECT_ID)).toContainEqual(
        expect.objectContaining({ name: 'review/mr-42', state: 'stopped' }),
      ),
    );
    await w.bot.watcher.round();
    // One stop, made by the Stop itself: the environment's id is known from the first round's list.
    expect(environmentCalls() - before).toBe(1);

    before = environmentCalls();
    expect((await cli(w, ['stop', '43'], { GITLAB_ENVIRONMENTS: 'true' })).code).toBe(0);
    await w.bot.watcher.round();
    // The CLI looks the environment up, then stops it.
    expect(environmentCalls() - before).toBe(2);
    expect(w.gitlab.environments(PROJECT_ID)).toMatchObject([
      { name: 'review/mr-42', state: 'stopped' },
      { name: 'review/mr-43', state: 'stopped' },
    ]);
  });

  it('a Stop while GitLab fails leaves the environment to the next watch round, which stops it', async () => {
    await using w = await startBotWorld({ env: { GITLAB_ENVIRONMENTS: 'true' } });
    w.gitlab.setTokenScopes(['api', 'read_registry']);
    w.addMergeRequest(42);
    const app = await launchedFromSlack(w, 42);
    w.gitlab.fault({
      match: (r) => r.path.includes('/environments'),
      reply: { status: 502, body: '{"message":"502 Bad Gateway"}' },
      times: 1,
    });
    await clickButton(w, app.status, ACTIONS.stop, 42);
    // The Stop is told in the thread once it is done, the environment's failure included.
    await eventually(() =>
      expect(app.replies().some((m) => shown(m).includes(`stopped by <@${ALICE}>`))).toBe(true),
    );
    expect(w.gitlab.environments(PROJECT_ID)).toMatchObject([
      { name: 'review/mr-42', state: 'available' },
    ]);
    await w.bot.watcher.round();
    expect(w.gitlab.environments(PROJECT_ID)).toMatchObject([
      { name: 'review/mr-42', state: 'stopped' },
    ]);
  });

  it("a relaunch while a team's on_stop job runs keeps the environment and its deployments, and brings it back once the job is done", async () => {
    await using w = await startBotWorld({ env: { GITLAB_ENVIRONMENTS: 'true' } });
    w.gitlab.setTokenScopes(['api', 'read_registry']);
    w.addMergeRequest(42);
    const app = await launchedFromSlack(w, 42);
    // The team's CI deploys to the same environment with an on_stop job (review-app launch in a job).
    w.gitlab.deployWithStopAction(PROJECT_ID, 'review/mr-42');
    w.clock.advance(30 * MINUTE);
    await w.bot.watcher.round();
    expect(w.gitlab.environments(PROJECT_ID)).toMatchObject([
      { name: 'review/mr-42', state: 'stopping' },
    ]);

    await clickButton(w, app.status, ACTIONS.retry, 42);
    await eventually(() => expect(w.aws.tasks()).toHaveLength(2));
    const newest = w.aws.tasks().at(-1)?.taskArn as string;
    const url = `http://${w.aws.networkInterface(newest)?.publicIp}:3000`;
    // The job still runs: the environment is neither forced nor deleted, only given the new URL.
    await eventually(() =>
      expect(w.gitlab.environments(PROJECT_ID)).toMatchObject([
        { name: 'review/mr-42', state: 'stopping', external_url: url },
      ]),
    );
    expect(w.gitlab.deployments(PROJECT_ID, 'review/mr-42')).toHaveLength(1);

    w.gitlab.finishStopJob(PROJECT_ID, 'review/mr-42', 'success');
    w.clock.advance(5 * MINUTE);
    await w.bot.watcher.round();
    expect(w.gitlab.environments(PROJECT_ID)).toMatchObject([
      { name: 'review/mr-42', state: 'available', external_url: url },
    ]);
    // The CI job's deployment is still there, beside the bot's.
    expect(w.gitlab.deployments(PROJECT_ID, 'review/mr-42')).toMatchObject([
      { deployable: { name: 'deploy' } },
      { deployable: null, status: 'success', ref: 'feature/42' },
    ]);
  });

  it('an environment whose stop failed at expiry is stopped by a later round', async () => {
    await using w = await startBotWorld({ env: { GITLAB_ENVIRONMENTS: 'true' } });
    w.gitlab.setTokenScopes(['api', 'read_registry']);
    w.addMergeRequest(42);
    await launchedFromSlack(w, 42);
    await w.bot.watcher.round();
    w.gitlab.fault({
      match: (r) => r.path.includes('/environments'),
      reply: { status: 502, body: '{"message":"502 Bad Gateway"}' },
      // The stop at expiry, and the check of GitLab's environments in the same round.
      times: 2,
    });
    w.clock.advance(30 * MINUTE);
    await w.bot.watcher.round();
    expect(w.gitlab.environments(PROJECT_ID)).toMatchObject([
      { name: 'review/mr-42', state: 'available' },
    ]);
    w.clock.advance(5 * MINUTE);
    await w.bot.watcher.round();
    expect(w.gitlab.environments(PROJECT_ID)).toMatchObject([
      { name: 'review/mr-42', state: 'stopped' },
    ]);
  });

  it('an environment left available by a stop that failed before a restart is stopped by the restarted bot', async () => {
    await using w = await startBotWorld({ env: { GITLAB_ENVIRONMENTS: 'true' } });
    w.gitlab.setTokenScopes(['api', 'read_registry']);
    w.addMergeRequest(42);
    w.addMergeRequest(43);
    await launchedFromSlack(w, 42);
    w.clock.advance(10 * MINUTE);
    await launchedFromSlack(w, 43);
    await w.bot.watcher.recover();
    // 42 ends at its deadline while GitLab asks for a minute more than a round may wait.
    w.gitlab.rateLimit({
      retryAfterSeconds: 60,
      match: (r) => r.path.includes('/environments'),
      times: 2,
    });
    w.clock.advance(20 * MINUTE);
    await w.bot.watcher.round();
    expect(w.gitlab.environments(PROJECT_ID)).toMatchObject([
      { name: 'review/mr-42', state: 'available' },
      { name: 'review/mr-43', state: 'available' },
    ]);

    await w.restart();
    await w.bot.watcher.recover();
    expect(w.gitlab.environments(PROJECT_ID)).toMatchObject([
      { name: 'review/mr-42', state: 'stopped' },
      { name: 'review/mr-43', state: 'available' },
    ]);
  });

  it('a restarted bot stops every environment left available, listing them 100 a page', async () => {
    await using w = await startBotWorld({ env: { GITLAB_ENVIRONMENTS: 'true' } });
    w.gitlab.setTokenScopes(['api', 'read_registry']);
    // A bot that could not stop its environments before it went down (GitLab was away).
    const api = new Gitlab({ host: w.gitlab.url, token: w.gitlab.token });
    for (let mr = 1; mr <= 150; mr++) {
      await api.Environments.create(PROJECT_ID, `review/mr-${mr}`, {
        externalUrl: `http://10.0.0.${mr}:3000`,
      });
    }
    await w.restart();
    const before = w.gitlab.requests.length;
    await w.bot.watcher.recover();
    expect(w.gitlab.environments(PROJECT_ID).filter((e) => e.state !== 'stopped')).toEqual([]);
    const calls = w.gitlab.requests.slice(before).map((r) => r.operation);
    // Two pages of the list, then one stop each: no look-up per environment.
    expect(calls.filter((op) => op === 'GET /projects/:id/environments')).toHaveLength(2);
    expect(calls.filter((op) => op.endsWith('/stop'))).toHaveLength(150);
  });

  it('waits as long as GitLab asks (Retry-After) when stopping the environment', async () => {
    await using w = await startBotWorld({ env: { GITLAB_ENVIRONMENTS: 'true' } });
    w.gitlab.setTokenScopes(['api', 'read_registry']);
    w.addMergeRequest(42);
    const app = await launchedFromSlack(w, 42);
    const before = w.gitlab.requests.length;
    w.gitlab.rateLimit({
      retryAfterSeconds: 7,
      match: (r) => r.path.includes('/environments'),
      times: 1,
    });
    await clickButton(w, app.status, ACTIONS.stop, 42);
    await eventually(() =>
      expect(w.gitlab.environments(PROJECT_ID)).toMatchObject([
        { name: 'review/mr-42', state: 'stopped' },
      ]),
    );
    // The refused look, the look after the wait, the stop: no burst of retries.
    expect(
      w.gitlab.requests.slice(before).filter((r) => r.path.includes('/environments')),
    ).toHaveLength(3);
  });

  it('a Reporter token (api scope, too low a role) leaves the launch working, with a warning logged', async () => {
    await using w = await startBotWorld({ env: { GITLAB_ENVIRONMENTS: 'true' } });
    w.gitlab.setTokenScopes(['api', 'read_registry']);
    w.gitlab.setTokenRole('reporter');
    w.addMergeRequest(42);
    const app = await launchedFromSlack(w, 42);
    expect(shown(app.status)).toContain(`http://${w.aws.networkInterface(app.arn)?.publicIp}:3000`);
    expect(w.gitlab.environments(PROJECT_ID)).toEqual([]);
    expect(w.logs.some((l) => l.includes('could not show the app as a GitLab environment'))).toBe(
      true,
    );
  });

  it('a CLI launch and stop with no bot running leave the environment stopped', async () => {
    await using world = await startWorld();
    world.gitlab.setTokenScopes(['api', 'read_registry']);
    world.addMergeRequest(42);
    const env = { GITLAB_ENVIRONMENTS: 'true' };
    expect((await cli(world, ['launch', '42', '--wait'], env)).code).toBe(0);
    expect(world.gitlab.environments(PROJECT_ID)).toMatchObject([
      { name: 'review/mr-42', state: 'available' },
    ]);
    expect((await cli(world, ['stop', '42'], env)).code).toBe(0);
    expect(world.gitlab.environments(PROJECT_ID)).toMatchObject([
      { name: 'review/mr-42', state: 'stopped' },
    ]);
  });

  it('leaves GitLab environments alone by default', async () => {
    await using w = await startBotWorld();
    w.addMergeRequest(42);
    await launchedFromSlack(w, 42);
    expect(w.gitlab.environments(PROJECT_ID)).toEqual([]);
    expect(w.gitlab.requests.some((r) => r.path.includes('/environments'))).toBe(false);
  });
});
