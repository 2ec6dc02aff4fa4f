import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/cli.js';
import { cli } from '../support/cli.js';
import { PROJECT_PATH, SECURITY_GROUP, SUBNET, startWorld } from '../support/world.js';

type Json = Record<string, unknown>;
const tagsOf = (call: Json) =>
  Object.fromEntries((call.tags as { key: string; value: string }[]).map((t) => [t.key, t.value]));

describe('review-app launch', () => {
  it('launches the MR image as a Fargate task with a hard lifetime and prints its URL last', async () => {
    await using world = await startWorld();
    const { sha, image } = world.addMergeRequest(42, {
      title: 'Checkout page',
      branch: 'feature/checkout',
    });

    const result = await cli(world, ['launch', '!42', '--wait']);

    expect(result.stderr).toContain('Merge request !42: Checkout page');
    // Times a person reads: the reader's local time, never an ISO string.
    expect(result.stderr).toMatch(/Running until \d\d:\d\d \S+ \(at most until \d\d:\d\d \S+\)\./);
    const said = result.stderr.split('\n');
    expect(said.join('\n')).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:/);
    expect(result.code).toBe(0);
    const url = result.lines.at(-1);
    const task = world.aws.tasks()[0];
    const eni = world.aws.networkInterface(task?.taskArn as string);
    expect(url).toBe(`http://${eni?.publicIp}:3000`);

    const [register] = world.aws.callsTo('RegisterTaskDefinition');
    expect(register?.family).toBe('shop-web-review-app');
    const containers = register?.containerDefinitions as Json[];
    expect(containers.find((c) => c.name === 'web')?.image).toBe(image);
    expect(containers.find((c) => c.name === 'review-app-lifetime')).toMatchObject({
      essential: true,
      command: ['sleep', '7200'],
    });

    const [run] = world.aws.callsTo('RunTask');
    expect(run).toMatchObject({
      cluster: 'review-apps',
      launchType: 'FARGATE',
      startedBy: 'review-app-bot',
      networkConfiguration: {
        awsvpcConfiguration: {
          subnets: [SUBNET],
          securityGroups: [SECURITY_GROUP],
          assignPublicIp: 'ENABLED',
        },
      },
    });
    expect(String(run?.clientToken)).toMatch(/^[0-9a-f-]{36}$/);
    const tags = tagsOf(run as Json);
    expect(tags).toMatchObject({
      'review-app:project': PROJECT_PATH,
      'review-app:mr': '42',
      'review-app:branch': 'feature/checkout',
      'review-app:commit': sha,
      'review-app:requester': 'ci-user',
      'review-app:soft-deadline': new Date(Date.parse('2026-11-27T12:30:00Z')).toISOString(),
      'review-app:hard-deadline': new Date(Date.parse('2026-11-27T14:00:00Z')).toISOString(),
    });
    // The base family was never registered to: nothing that follows it can pick up a review image.
    expect(world.aws.callsTo('RegisterTaskDefinition').map((c) => c.family)).not.toContain(
      'shop-web',
    );
  });

  it('prints JSON for scripts', async () => {
    await using world = await startWorld();
    world.addMergeRequest(5);
    const result = await cli(world, ['launch', '5', '--wait', '--json']);
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout) as Json;
    expect(json).toMatchObject({ mr: 5, status: 'RUNNING', requester: 'ci-user' });
    expect(String(json.url)).toMatch(/^http:\/\/[0-9.]+:3000$/);
  });

  it('reports an existing app instead of starting a second, and replaces it with --replace', async () => {
    await using world = await startWorld();
    world.addMergeRequest(42);
    const first = await cli(world, ['launch', '42', '--wait']);
    expect(first.code).toBe(0);

    // A CI job run again gets the running app's URL, and no second task.
    const again = await cli(world, ['launch', '42', '--wait']);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('!42 already has a review app running; use --replace');
    expect(again.lines.at(-1)).toBe(first.lines.at(-1));
    expect(world.aws.callsTo('RunTask')).toHaveLength(1);

    const replaced = await cli(world, ['launch', '42', '--replace', '--wait']);
    expect(replaced.code).toBe(0);
    expect(world.aws.callsTo('RunTask')).toHaveLength(2);
    const [stop] = world.aws.callsTo('StopTask');
    expect(stop?.reason).toBe('review-app-bot: relaunched by ci-user (CLI)');
    // Same image, same base revision: the registered revision is reused.
    expect(world.aws.callsTo('RegisterTaskDefinition')).toHaveLength(1);
  });

  it('reuses the registered revision across processes by its tags', async () => {
    await using world = await startWorld();
    world.addMergeRequest(3);
    await cli(world, ['launch', '3', '--wait']);
    await cli(world, ['stop', '3']);
    await cli(world, ['launch', '3', '--wait']);
    expect(world.aws.callsTo('RegisterTaskDefinition')).toHaveLength(1);
    expect(world.aws.callsTo('RunTask')).toHaveLength(2);
  });

  it.each([
    [{ state: 'merged' as const }, /!9 is merged; only open merge requests can be launched/],
    [{ image: false, pipeline: 'running' }, /not built yet: pipeline #1009 is running/],
    [{ image: false, pipeline: 'failed' }, /pipeline #1009 failed/],
    [{ image: false, pipeline: null }, /has no pipeline/],
  ])('explains why nothing was launched (%j)', async (mr, message) => {
    await using world = await startWorld();
    world.addMergeRequest(9, mr);
    const result = await cli(world, ['launch', '9']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(message);
    expect(world.aws.callsTo('RunTask')).toHaveLength(0);
  });

  it('says so when the MR does not exist', async () => {
    await using world = await startWorld();
    const result = await cli(world, ['launch', '404']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('GitLab has no merge request !404 in acme/shop');
  });

  it('reports why a task stopped while starting', async () => {
    await using world = await startWorld();
    world.addMergeRequest(11);
    world.aws.setLaunchBehaviour({
      failToStart: { stoppedReason: 'CannotPullContainerError: pull access denied' },
    });
    const result = await cli(world, ['launch', '11', '--wait']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'failed to start: CannotPullContainerError: pull access denied',
    );
    expect(result.stderr).toContain('could not be pulled');
  });

  it('stops a task that never starts, after the launch timeout', async () => {
    await using world = await startWorld();
    world.addMergeRequest(12);
    world.aws.setLaunchBehaviour('stay-pending');
    const result = await cli(world, ['launch', '12', '--wait'], {
      REVIEW_APP_LAUNCH_TIMEOUT: '2m',
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/still PENDING after 2 minutes, so it was stopped/);
    expect(world.aws.callsTo('StopTask')[0]?.reason).toBe('review-app-bot: did not start in time');
  });

  it('explains capacity failures from RunTask', async () => {
    await using world = await startWorld();
    world.addMergeRequest(13);
    world.aws.failNextRunTask([
      { reason: 'Capacity is unavailable at this time. Please try again later.' },
    ]);
    const result = await cli(world, ['launch', '13']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Fargate has no capacity for it right now');
  });

  it('uses a Fargate Spot capacity provider strategy when configured', async () => {
    await using world = await startWorld();
    world.addMergeRequest(14);
    await cli(world, ['launch', '14'], { ECS_CAPACITY_PROVIDER: 'FARGATE_SPOT' });
    const [run] = world.aws.callsTo('RunTask');
    expect(run?.capacityProviderStrategy).toEqual([
      { capacityProvider: 'FARGATE_SPOT', weight: 1 },
    ]);
    expect(run?.launchType).toBeUndefined();
  });
});

describe('review-app list and stop', () => {
  it('lists running apps and stops one by MR, saying who stopped it', async () => {
    await using world = await startWorld();
    world.addMergeRequest(1, { title: 'First' });
    world.addMergeRequest(2, { title: 'Second' });
    await cli(world, ['launch', '1', '--wait']);
    await cli(world, ['launch', '2', '--wait']);

    const listed = await cli(world, ['list', '--json']);
    expect((JSON.parse(listed.stdout) as Json[]).map((a) => a.mr).sort()).toEqual([1, 2]);

    const stopped = await cli(world, ['stop', '!1']);
    expect(stopped.code).toBe(0);
    expect(world.aws.callsTo('StopTask')[0]?.reason).toBe(
      'review-app-bot: stopped by ci-user (CLI)',
    );

    const after = await cli(world, ['list']);
    expect(after.stdout).toContain('!2');
    expect(after.stdout).not.toMatch(/^!1\t/m);

    const none = await cli(world, ['stop', '1']);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('!1 has no review app running');
  });
});

describe('usage and configuration', () => {
  it('prints the usage with --help and exits 0, without needing any configuration', async () => {
    let stdout = '';
    const code = await runCli(['--help'], {
      env: {},
      stdout: (t) => {
        stdout += t;
      },
      stderr: () => {},
    });
    expect(code).toBe(0);
    expect(stdout).toContain('review-app launch <mr> [--wait] [--replace] [--json]');
    expect(stdout).toContain('Exit codes: 0 done, 1 failed, 2 bad usage or configuration.');
  });

  it.each([
    [[]],
    [['launch']],
    [['launch', '1', '2']],
    [['deploy', '1']],
    [['launch', '1', '--force']],
  ])('exits 2 with the usage for %j', async (argv) => {
    await using world = await startWorld();
    const result = await cli(world, argv);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Usage:');
  });

  it('exits 2 naming every missing variable, without printing secrets', async () => {
    let stderr = '';
    const code = await runCli(['list'], {
      env: { GITLAB_TOKEN: 'glpat-very-secret' },
      stdout: () => {},
      stderr: (t) => {
        stderr += t;
      },
    });
    expect(code).toBe(2);
    expect(stderr).toContain('GITLAB_PROJECT is required');
    expect(stderr).toContain('ECS_SUBNETS is required');
    expect(stderr).not.toContain('glpat-very-secret');
  });

  it('accepts the MR URL when GITLAB_PROJECT is the numeric id, and tags apps by path', async () => {
    await using world = await startWorld();
    world.addMergeRequest(6);
    const byId = await cli(
      world,
      ['launch', `${world.gitlab.url}/acme/shop/-/merge_requests/6`, '--wait'],
      { GITLAB_PROJECT: '7' },
    );
    expect(byId.stderr).not.toContain('Error');
    expect(byId.code).toBe(0);
    expect(tagsOf(world.aws.callsTo('RunTask')[0] as Json)['review-app:project']).toBe(
      PROJECT_PATH,
    );
    // The bot configured by path sees the app the CI job configured by id launched.
    const listed = await cli(world, ['list', '--json'], { GITLAB_PROJECT: PROJECT_PATH });
    expect((JSON.parse(listed.stdout) as Json[]).map((a) => a.mr)).toEqual([6]);
  });

  it('exits 2 for an MR that is not one', async () => {
    await using world = await startWorld();
    const result = await cli(world, [
      'launch',
      'https://elsewhere.example/acme/shop/-/merge_requests/1',
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('not a merge request URL');
  });
});
