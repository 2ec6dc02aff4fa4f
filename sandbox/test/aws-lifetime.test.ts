import { DescribeTasksCommand, ListTasksCommand, RunTaskCommand } from '@aws-sdk/client-ecs';
import { describe, expect, it } from 'vitest';
import { parseLifetime } from '../src/aws-ecs-lifetime.js';
import { manualClock, runInput, seededAws } from './aws-fixtures.js';

const HOUR = 3_600_000;

describe('AWS stand-in: hard lifetime', () => {
  it('reads sleep and timeout commands as a shell would', () => {
    expect(parseLifetime(['sleep', '7200'])).toEqual({ seconds: 7200, exitCode: 0 });
    expect(parseLifetime(['sh', '-c', 'sleep 7200'])).toEqual({ seconds: 7200, exitCode: 0 });
    expect(parseLifetime(['/bin/sh', '-c', 'exec sleep 2h'])).toEqual({
      seconds: 7200,
      exitCode: 0,
    });
    expect(parseLifetime(['timeout', '-s', 'TERM', '1800', 'node', 'server.js'])).toEqual({
      seconds: 1800,
      exitCode: 124,
    });
    expect(parseLifetime(['sh', '-c', 'timeout 30m npm start'])).toEqual({
      seconds: 1800,
      exitCode: 124,
    });
    expect(parseLifetime(['node', 'server.js'])).toBeUndefined();
    expect(parseLifetime([])).toBeUndefined();
  });

  it('an essential sleep container ends the task at its start + N seconds', async () => {
    const clock = manualClock();
    const { aws, ecs } = await seededAws(clock.now);
    await using _ = aws;
    aws.addTaskDefinition({
      family: 'shop-web-review-app',
      requiresCompatibilities: ['FARGATE'],
      networkMode: 'awsvpc',
      cpu: '256',
      memory: '512',
      containerDefinitions: [
        { name: 'web', image: 'registry.example.test/acme/shop:abc', essential: true },
        {
          name: 'lifetime',
          image: 'public.ecr.aws/docker/library/busybox:stable',
          essential: true,
          command: ['sleep', '7200'],
        },
      ],
    });
    const arn = (
      await ecs.send(new RunTaskCommand(runInput({ taskDefinition: 'shop-web-review-app' })))
    ).tasks?.[0]?.taskArn as string;

    clock.advance(HOUR); // time passes before the task is up: the lifetime counts from start
    aws.runTaskNow(arn);
    const startedAt = clock.now();
    clock.advance(2 * HOUR - 1);
    const list = await ecs.send(new ListTasksCommand({ cluster: 'review-apps' }));
    expect(list.taskArns).toEqual([arn]);

    clock.advance(10 * 60_000);
    const { tasks } = await ecs.send(
      new DescribeTasksCommand({ cluster: 'review-apps', tasks: [arn] }),
    );
    expect(tasks?.[0]).toMatchObject({
      lastStatus: 'STOPPED',
      desiredStatus: 'STOPPED',
      stopCode: 'EssentialContainerExited',
      stoppedReason: 'Essential container in task exited',
      containers: [
        expect.objectContaining({ name: 'web', exitCode: 137 }),
        expect.objectContaining({ name: 'lifetime', exitCode: 0 }),
      ],
    });
    // Stopped when the sleep ended, not when someone happened to look.
    expect(tasks?.[0]?.stoppedAt).toEqual(new Date(startedAt + 2 * HOUR));
  });

  it('a command wrapped in timeout (also via overrides) exits 124', async () => {
    const clock = manualClock();
    const { aws, ecs } = await seededAws(clock.now);
    await using _ = aws;
    const arn = (
      await ecs.send(
        new RunTaskCommand(
          runInput({
            overrides: {
              containerOverrides: [{ name: 'web', command: ['timeout', '1800', 'npm', 'start'] }],
            },
          }),
        ),
      )
    ).tasks?.[0]?.taskArn as string;
    aws.runTaskNow(arn);
    clock.advance(1800 * 1000);
    expect(aws.task(arn)).toMatchObject({
      lastStatus: 'STOPPED',
      stopCode: 'EssentialContainerExited',
      containers: [expect.objectContaining({ name: 'web', exitCode: 124 })],
    });
  });
});

describe('AWS stand-in: what images do', () => {
  async function runWeb(
    facts: { entryPoint?: string[]; timeout?: 'coreutils' | 'busybox' },
    container: { entryPoint?: string[]; command: string[] },
  ) {
    const clock = manualClock();
    const { aws, ecs } = await seededAws(clock.now);
    aws.describeImage('registry.example.test/acme/shop', facts);
    aws.addTaskDefinition({
      family: 'images',
      requiresCompatibilities: ['FARGATE'],
      networkMode: 'awsvpc',
      cpu: '256',
      memory: '512',
      containerDefinitions: [
        {
          name: 'web',
          image: 'registry.example.test/acme/shop:abc',
          essential: true,
          ...container,
        },
      ],
    });
    const arn = (await ecs.send(new RunTaskCommand(runInput({ taskDefinition: 'images' }))))
      .tasks?.[0]?.taskArn as string;
    aws.runTaskNow(arn);
    clock.advance(HOUR + 1);
    return { aws, task: aws.task(arn) };
  }

  it('gives `command` to the image ENTRYPOINT, so a timeout there limits nothing', async () => {
    const { aws, task } = await runWeb(
      { entryPoint: ['docker-entrypoint.sh'] },
      { command: ['timeout', '3600', 'node', 'server.js'] },
    );
    await using _ = aws;
    expect(task?.lastStatus).toBe('RUNNING');
  });

  it('BusyBox timeout ends the program with its own status, not 124', async () => {
    const { aws, task } = await runWeb(
      { timeout: 'busybox' },
      { entryPoint: ['timeout', '3600', 'node'], command: ['server.js'] },
    );
    await using _ = aws;
    expect(task?.lastStatus).toBe('STOPPED');
    expect(task?.containers[0]?.exitCode).toBe(143);
  });

  it('kills a container out of memory as Fargate reports it', async () => {
    const { aws, task } = await runWeb({}, { command: ['node', 'server.js'] });
    await using _ = aws;
    aws.runOutOfMemory(task?.taskArn as string, 'web');
    expect(aws.task(task?.taskArn as string)).toMatchObject({
      lastStatus: 'STOPPED',
      stopCode: 'EssentialContainerExited',
      containers: [
        {
          exitCode: 137,
          reason: 'OutOfMemoryError: Container killed due to memory usage',
        },
      ],
    });
  });
});
