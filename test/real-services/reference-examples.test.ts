import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createAwsClients } from '../../src/aws/clients.js';
import { EcsPlatform } from '../../src/aws/ecs-platform.js';
import { awsOptionsFromEnv } from '../../src/compose.js';
import { loadConfig } from '../../src/config/config.js';
import { GitLabSource } from '../../src/gitlab/source.js';
import { startWorld, type World } from '../support/world.js';

/** A response example from a service's reference (see test/fixtures/README.md). */
function example(path: string): string {
  const text = readFileSync(new URL(`../fixtures/${path}`, import.meta.url), 'utf8');
  return path.endsWith('.json') ? JSON.stringify(JSON.parse(text).body) : text;
}

const ecsAnswer = (path: string) => ({
  status: 200,
  headers: { 'content-type': 'application/x-amz-json-1.1' },
  body: example(path),
});

const gitlabAnswer = (path: string) => ({
  status: 200,
  headers: { 'content-type': 'application/json' },
  body: example(path),
});

function platformFor(world: World) {
  const config = loadConfig(world.env);
  return new EcsPlatform(createAwsClients(awsOptionsFromEnv(world.env)), config.ecs);
}

describe('the ECS and EC2 adapters on the references’ examples', () => {
  it('reads a running Fargate task: status, ENI, private address, who started it, tags', async () => {
    await using world = await startWorld();
    world.aws.fault({
      match: 'DescribeTasks',
      reply: ecsAnswer('aws/ecs-describe-tasks-running.json'),
    });
    const [task] = await platformFor(world).describeTasks([
      'arn:aws:ecs:us-east-1:123456789012:task/review-apps/1234567890123456789',
    ]);
    expect(task).toMatchObject({
      lastStatus: 'RUNNING',
      startedBy: 'review-app-bot',
      networkInterfaceId: 'eni-12344321',
      privateIp: '10.0.0.4',
      cpu: '256',
      memory: '512',
      startedAt: 1557134035379,
      tags: { 'review-app:project': 'acme/shop', 'review-app:mr': '42' },
    });
  });

  it('reads the public address from EC2’s XML answer', async () => {
    await using world = await startWorld();
    world.aws.fault({
      match: 'DescribeNetworkInterfaces',
      reply: {
        status: 200,
        headers: { 'content-type': 'text/xml;charset=UTF-8' },
        body: example('aws/ec2-describe-network-interfaces.xml'),
      },
    });
    const arn = 'arn:aws:ecs:us-east-1:123456789012:task/review-apps/1234567890123456789';
    const addresses = await platformFor(world).addresses([
      {
        arn,
        lastStatus: 'RUNNING',
        desiredStatus: 'RUNNING',
        containers: [],
        tags: {},
        networkInterfaceId: 'eni-12344321',
        privateIp: '10.0.0.4',
      },
    ]);
    expect(addresses.get(arn)).toEqual({ privateIp: '10.0.0.4', publicIp: '203.0.113.12' });
  });

  it('explains an out-of-memory stop by the app container and its limit', async () => {
    await using world = await startWorld();
    world.aws.fault({
      match: 'DescribeTasks',
      reply: ecsAnswer('aws/ecs-describe-tasks-oom.json'),
    });
    const platform = platformFor(world);
    const [task] = await platform.describeTasks([
      'arn:aws:ecs:us-east-1:123456789012:task/review-apps/2234567890123456789',
    ]);
    const why = platform.explainStop(task as never, {
      image: 'registry.example.test/acme/shop:0123456789abcdef',
    });
    expect(why.summary).toBe(
      'The app (container web) ran out of memory (its container limit of 384 MiB) and was stopped.',
    );
  });

  it('leaves out a task DescribeTasks answers as MISSING', async () => {
    await using world = await startWorld();
    world.aws.fault({
      match: 'DescribeTasks',
      reply: ecsAnswer('aws/ecs-describe-tasks-missing.json'),
    });
    const tasks = await platformFor(world).describeTasks([
      'arn:aws:ecs:us-east-1:123456789012:task/review-apps/3234567890123456789',
    ]);
    expect(tasks).toEqual([]);
  });

  it('reads the task RunTask started', async () => {
    await using world = await startWorld();
    world.aws.fault({ match: 'RunTask', reply: ecsAnswer('aws/ecs-run-task.json') });
    const task = await platformFor(world).runTask('shop-web-review-app:2', {
      image: 'registry.example.test/acme/shop:0123456789abcdef',
      tags: [],
      clientToken: 'reference-example',
    });
    expect(task).toMatchObject({
      arn: 'arn:aws:ecs:us-east-1:123456789012:task/review-apps/a9f21ea7c9f544b1b8e6b31f50ed33c0',
      lastStatus: 'PROVISIONING',
      startedBy: 'review-app-bot',
      containers: [{ name: 'web', lastStatus: 'PENDING' }],
    });
    expect(task.networkInterfaceId).toBeUndefined();
  });
});

describe('the GitLab adapter on the reference’s examples', () => {
  function source(world: World) {
    return new GitLabSource(loadConfig(world.env).gitlab);
  }

  it('reads a merge request from a fork with a merged-results head pipeline', async () => {
    await using world = await startWorld();
    world.gitlab.fault({
      match: 'GET /projects/:id/merge_requests/:iid',
      reply: gitlabAnswer('gitlab/merge-request.json'),
    });
    const mr = await source(world).getMergeRequest(133);
    expect(mr).toMatchObject({
      iid: 133,
      state: 'opened',
      sourceBranch: 'manual-job-rules',
      sha: 'e82eb4a098e32c796079ca3915e07487fc4db24c',
      headPipeline: {
        id: 538317940,
        status: 'failed',
        sha: '1604b0c46c395822e4e9478777f8e54ac99fe5b9',
      },
      forkProjectId: 99,
      author: { username: 'marcel.amirault', name: 'Marcel Amirault' },
    });
  });

  it('finds the image from the registry repositories and tag answers', async () => {
    await using world = await startWorld();
    world.gitlab.fault({
      match: 'GET /projects/:id/registry/repositories',
      reply: gitlabAnswer('gitlab/registry-repositories.json'),
    });
    world.gitlab.fault({
      match: 'GET /projects/:id/registry/repositories/:repository_id/tags/:tag_name',
      reply: gitlabAnswer('gitlab/registry-tag.json'),
    });
    const found = await source(world).findImageTag(['e82eb4a098e32c796079ca3915e07487fc4db24c']);
    expect(found?.location).toBe(
      'gitlab.example.com:5000/acme/shop:e82eb4a098e32c796079ca3915e07487fc4db24c',
    );
    const tagRequest = world.gitlab.requests.at(-1);
    expect(tagRequest?.path).toBe(
      '/api/v4/projects/acme%2Fshop/registry/repositories/1/tags/e82eb4a098e32c796079ca3915e07487fc4db24c',
    );
  });
});
