import { DeregisterTaskDefinitionCommand, ECSClient } from '@aws-sdk/client-ecs';
import { describe, expect, it } from 'vitest';
import { createAwsClients } from '../../src/aws/clients.js';
import { EcsPlatform } from '../../src/aws/ecs-platform.js';
import { runCli } from '../../src/cli/cli.js';
import { awsOptionsFromEnv, createEngine } from '../../src/compose.js';
import type { Env } from '../../src/config/config.js';
import { loadConfig } from '../../src/config/config.js';
import { isReviewAppError } from '../../src/core/errors.js';
import { silentLogger } from '../../src/core/logger.js';
import { cli } from '../support/cli.js';
import { PROJECT_ID, startWorld, type World } from '../support/world.js';

function engineFor(world: World, env: Env = {}) {
  const all = { ...world.env, ...env };
  return createEngine({
    config: loadConfig(all),
    env: all,
    logger: silentLogger,
    clock: world.clock,
  });
}

const missing = (arn: string) => ({
  status: 200,
  headers: { 'content-type': 'application/x-amz-json-1.1' },
  body: JSON.stringify({ tasks: [], failures: [{ arn, reason: 'MISSING' }] }),
});

describe('task definition clean-up', () => {
  it('deregisters old review revisions that no task runs, keeping the newest for reuse', async () => {
    await using world = await startWorld();
    const config = loadConfig(world.env);
    const platform = new EcsPlatform(createAwsClients(awsOptionsFromEnv(world.env)), config.ecs);
    const arns: string[] = [];
    for (let i = 1; i <= 23; i++) {
      arns.push(
        (await platform.prepareTaskDefinition(`registry.example.test/acme/shop:c${i}`)).arn,
      );
    }
    // The oldest revision still runs a task.
    const running = await platform.runTask(arns[0] as string, {
      image: 'c1',
      tags: [],
      clientToken: 'old-app',
    });
    // A launch from CI registers a 24th revision, then tidies up.
    world.addMergeRequest(1);
    const code = await runCli(['launch', '1'], {
      env: world.env,
      stdout: () => {},
      stderr: () => {},
      clock: world.clock,
    });
    expect(code).toBe(0);
    const deregistered = world.aws.callsTo('DeregisterTaskDefinition').map((c) => c.taskDefinition);
    // Beyond the newest 20 are revisions 1 to 4; revision 1 still runs.
    expect(deregistered).toEqual([arns[3], arns[2], arns[1]]);
    expect(world.aws.task(running.arn)?.taskDefinitionArn).toBe(arns[0]);
  });
});

describe('CI jobs', () => {
  it('a second launch waits for an app that is still starting and prints its URL', async () => {
    await using world = await startWorld();
    world.addMergeRequest(1);
    // The first job did not wait, and no bot ran to fill in the URL.
    expect((await cli(world, ['launch', '1'])).code).toBe(0);
    const again = await cli(world, ['launch', '1', '--wait']);
    expect(again.code).toBe(0);
    expect(again.stdout.trim()).toMatch(/^http:\/\/[0-9.]+:3000$/);
    expect(world.aws.callsTo('RunTask')).toHaveLength(1);
  });

  it('with IMAGE_TEMPLATE, the pipeline running the job counts as built', async () => {
    await using world = await startWorld();
    world.addMergeRequest(1, { pipeline: 'running', image: false });
    const env = { IMAGE_TEMPLATE: '123456789012.dkr.ecr.us-east-1.amazonaws.com/shop:{sha}' };
    const elsewhere = await cli(world, ['launch', '1'], env);
    expect(elsewhere.code).toBe(1);
    expect(elsewhere.stderr).toContain('pipeline #1001 is running');
    const inPipeline = await cli(world, ['launch', '1'], { ...env, CI_PIPELINE_ID: '1001' });
    expect(inPipeline.code).toBe(0);
    expect(world.aws.callsTo('RunTask')).toHaveLength(1);
  });

  it('a revision deregistered by another process is registered again, not run inactive', async () => {
    await using world = await startWorld();
    world.addMergeRequest(1);
    const bot = engineFor(world);
    const first = await bot.launch({ mr: 1, requester: 'U1', source: 'slack' });
    await bot.stop(1, 'U1 via Slack');
    // A CI job's clean-up elsewhere deregistered that revision.
    const arn = first.task.taskDefinitionArn as string;
    await new ECSClient({
      endpoint: world.aws.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    }).send(new DeregisterTaskDefinitionCommand({ taskDefinition: arn }));
    const again = await bot.launch({ mr: 1, requester: 'U1', source: 'slack' });
    expect(again.task.taskDefinitionArn).not.toBe(arn);
    expect(world.aws.callsTo('RegisterTaskDefinition')).toHaveLength(2);
  });
});

describe('launch robustness', () => {
  it('waits for a task ECS does not show yet (eventual consistency)', async () => {
    await using world = await startWorld();
    world.addMergeRequest(1);
    world.aws.fault({
      match: 'DescribeTasks',
      reply: (r) => missing(String(JSON.parse(r.body).tasks[0])),
      times: 3,
    });
    const result = await cli(world, ['launch', '1', '--wait']);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toMatch(/^http:\/\/[0-9.]+:3000$/);
  });

  it('stops a task that ECS never shows, instead of leaving it running', async () => {
    await using world = await startWorld();
    world.addMergeRequest(1);
    world.aws.fault({
      match: 'DescribeTasks',
      reply: (r) => missing(String(JSON.parse(r.body).tasks[0])),
    });
    const result = await cli(world, ['launch', '1', '--wait']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('ECS started the task but never showed it, so it was stopped');
    expect(world.aws.callsTo('StopTask')[0]?.reason).toBe('review-app-bot: launch failed');
  });

  it('falls back to the private IP when EC2 will not tell the public one', async () => {
    await using world = await startWorld();
    world.addMergeRequest(1);
    world.aws.fault({
      match: 'DescribeNetworkInterfaces',
      reply: {
        status: 403,
        headers: { 'content-type': 'text/xml' },
        body: '<Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>You are not authorized to perform this operation.</Message></Error></Errors><RequestID>x</RequestID></Response>',
      },
    });
    const result = await cli(world, ['launch', '1', '--wait']);
    expect(result.code).toBe(0);
    const task = world.aws.tasks()[0];
    expect(result.stdout.trim()).toBe(
      `http://${world.aws.networkInterface(task?.taskArn as string)?.privateIpAddress}:3000`,
    );
    expect(world.aws.callsTo('StopTask')).toHaveLength(0);
  });

  it('registers a new revision for every commit, however long the image reference', async () => {
    await using world = await startWorld();
    const prefix = `123456789012.dkr.ecr.us-east-1.amazonaws.com/${'very-long-team-name/'.repeat(4)}shop`;
    const env = { IMAGE_TEMPLATE: `${prefix}:{ref_slug}-{sha}` };
    world.addMergeRequest(1, { branch: `feature/${'x'.repeat(60)}` });
    expect((await cli(world, ['launch', '1', '--wait'], env)).code).toBe(0);
    world.gitlab.updateMergeRequest(PROJECT_ID, 1, { sha: 'e'.repeat(40) });
    expect((await cli(world, ['launch', '1', '--wait', '--replace'], env)).code).toBe(0);
    // Together with the base revision's ARN, these references are longer than a tag value holds.
    const images = world.aws
      .callsTo('RegisterTaskDefinition')
      .map(
        (call) =>
          (call.containerDefinitions as { name: string; image: string }[]).find(
            (c) => c.name === 'web',
          )?.image,
      );
    expect(images).toHaveLength(2);
    expect(images[1]).toContain('e'.repeat(40));
  });

  it('finds an image pushed after the registry repository first did not exist', async () => {
    await using world = await startWorld();
    const { sha } = world.addMergeRequest(1, { image: false });
    const engine = engineFor(world, { REGISTRY_REPOSITORY: 'acme/shop/web' });
    const first = await engine
      .launch({ mr: 1, requester: 'ci-user', source: 'cli' })
      .catch((e: unknown) => e);
    // The repository is named with those there are, in case the name is wrong.
    expect(isReviewAppError(first, 'REGISTRY_NOT_FOUND')).toBe(true);
    expect((first as Error).message).toContain('has no repository acme/shop/web; it has acme/shop');
    // CI pushes the first image of a new repository.
    world.gitlab.addRegistryRepository(PROJECT_ID, { id: 2, name: 'web' });
    world.gitlab.addRegistryTag(PROJECT_ID, 2, sha);
    const app = await engine.launch({ mr: 1, requester: 'ci-user', source: 'cli' });
    expect(app.meta.image).toContain(`acme/shop/web:${sha}`);
  });

  it('counts launches under way against the limits, so parallel launches cannot exceed them', async () => {
    await using world = await startWorld();
    for (const mr of [1, 2, 3]) world.addMergeRequest(mr);
    const engine = engineFor(world, { MAX_APPS_PER_USER: '1' });
    const results = await Promise.allSettled(
      [1, 2, 3].map((mr) => engine.launch({ mr, requester: 'U_ALICE', source: 'slack' })),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
    expect(refused.map((r) => isReviewAppError(r.reason, 'LIMIT_REACHED'))).toEqual([true, true]);
    expect(world.aws.callsTo('RunTask')).toHaveLength(1);
  });
});

describe('per-user launch limit', () => {
  it('gives a place back as soon as a launch is stopped or fails to start', async () => {
    await using world = await startWorld();
    for (const mr of [1, 2, 3, 4, 5]) world.addMergeRequest(mr);
    const engine = engineFor(world, { MAX_APPS_PER_USER: '3' });
    // Three launch-and-stop cycles: nothing of Alice's runs afterwards.
    for (const mr of [1, 2, 3]) {
      await engine.launch({ mr, requester: 'U_ALICE', source: 'slack' });
      await engine.stop(mr, 'U_ALICE');
    }
    // A launch whose task never starts.
    world.aws.setLaunchBehaviour({
      failToStart: { stoppedReason: 'CannotPullContainerError: pull access denied' },
    });
    const failed = await engine.launch({ mr: 4, requester: 'U_ALICE', source: 'slack' });
    const failure = await engine.waitUntilRunning(failed).catch((e: unknown) => e);
    expect(isReviewAppError(failure, 'TASK_STOPPED')).toBe(true);

    const app = await engine.launch({ mr: 5, requester: 'U_ALICE', source: 'slack' });
    expect(app.meta.mr).toBe(5);
  });
});
