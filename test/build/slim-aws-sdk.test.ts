import { readFileSync } from 'node:fs';
import { demoLoggingTaskDefinition } from '@review-app-bot/sandbox';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { launchedFromSlack, shown, startBotWorld } from '../support/bot.js';

// The product as `npm run build` ships it: the three AWS SDK doors of src/aws/sdk/
// replaced by the tree-shaken bundles scripts/slim-aws-sdk.ts makes of them.
const slim = vi.hoisted(() => {
  const directory = `${process.cwd()}/node_modules/.cache/slim-aws-sdk-test/${process.pid}`;
  const built = new Map<string, string>();
  return {
    directory,
    built,
    async load(name: string) {
      const { slimAwsSdk } = await import('../../scripts/slim-aws-sdk.js');
      const { createRequire } = await import('node:module');
      const output = `${directory}/${name}.cjs`;
      await slimAwsSdk(`${process.cwd()}/src/aws/sdk/${name}.ts`, output);
      built.set(name, output);
      // Required from inside the repository, so that the SDK's shared runtime resolves.
      return createRequire(output)(output);
    },
  };
});
vi.mock('../../src/aws/sdk/ecs.js', () => slim.load('ecs'));
vi.mock('../../src/aws/sdk/ec2.js', () => slim.load('ec2'));
vi.mock('../../src/aws/sdk/logs.js', () => slim.load('logs'));

afterAll(async () => {
  const { rm } = await import('node:fs/promises');
  await rm(slim.directory, { recursive: true, force: true });
});

describe('the AWS clients as built', () => {
  it('launch an app and show its public address, and a crash with its logs', async () => {
    await using w = await startBotWorld({ env: { ECS_TASK_DEFINITION: 'shop-web-logged' } });
    w.aws.addTaskDefinition(demoLoggingTaskDefinition());
    w.addMergeRequest(42, { title: 'Feature 42' });

    const app = await launchedFromSlack(w, 42);
    const publicIp = w.aws.networkInterface(app.arn)?.publicIp as string;
    expect(publicIp).toMatch(/^203\.0\.113\.\d+$/);
    expect(shown(app.status)).toContain(`http://${publicIp}:3000`);

    w.aws.containerLog(app.arn, 'web', ['Server starting', 'Error: boom']);
    w.aws.exitContainer(app.arn, 'web', 1, 'Error: boom');
    w.clock.advance(60_000);
    await w.bot.watcher.round();
    const notice = app.replies().find((m) => m.reply_broadcast);
    expect(notice && shown(notice)).toContain('Error: boom');

    // It really was the bundles, and they hold only what the bot sends.
    expect([...slim.built.keys()].sort()).toEqual(['ec2', 'ecs', 'logs']);
    const ec2 = readFileSync(slim.built.get('ec2') as string, 'utf8');
    expect(ec2).toContain('DescribeNetworkInterfaces');
    expect(ec2).not.toContain('RunInstances');
    const ecs = readFileSync(slim.built.get('ecs') as string, 'utf8');
    expect(ecs).toContain('RunTask');
    expect(ecs).not.toContain('CreateService');
  });
});
