import {
  CloudWatchLogsClient,
  GetLogEventsCommand,
  type GetLogEventsCommandInput,
  ResourceNotFoundException,
} from '@aws-sdk/client-cloudwatch-logs';
import { RunTaskCommand } from '@aws-sdk/client-ecs';
import { describe, expect, it } from 'vitest';
import { demoLoggingTaskDefinition } from '../src/demo.js';
import { clientConfig, manualClock, rejection, runInput, seededAws } from './aws-fixtures.js';

describe('CloudWatch Logs stand-in with @aws-sdk/client-cloudwatch-logs', () => {
  it('keeps what a container printed in <prefix>/<container>/<task id>, newest last', async () => {
    const clock = manualClock();
    const { aws, ecs } = await seededAws(clock.now);
    await using _aws = aws;
    aws.addTaskDefinition(demoLoggingTaskDefinition());
    const run = await ecs.send(new RunTaskCommand(runInput({ taskDefinition: 'shop-web-logged' })));
    const arn = run.tasks?.[0]?.taskArn as string;
    const id = arn.split('/').at(-1);
    aws.containerLog(arn, 'web', ['listening on 3000', 'Error: boom', '    at main (server.js:3)']);
    const logs = new CloudWatchLogsClient(clientConfig(aws));

    const tail = await logs.send(
      new GetLogEventsCommand({
        logGroupName: '/ecs/shop-web',
        logStreamName: `ecs/web/${id}`,
        limit: 2,
      }),
    );
    expect(tail.events?.map((e) => e.message)).toEqual([
      'Error: boom',
      '    at main (server.js:3)',
    ]);
    expect(tail.events?.[0]?.timestamp).toBe(clock.now());
    expect(tail.nextForwardToken).toMatch(/^f\//);
    expect(tail.nextBackwardToken).toMatch(/^b\//);
    expect(aws.operations().at(-1)).toBe('GetLogEvents');

    const missing = await rejection(
      logs.send(
        new GetLogEventsCommand({ logGroupName: '/ecs/shop-web', logStreamName: 'ecs/web/nope' }),
      ),
    );
    expect(missing).toBeInstanceOf(ResourceNotFoundException);
    expect(missing.message).toBe('The specified log stream does not exist.');

    const both = await rejection(
      logs.send(
        new GetLogEventsCommand({
          logGroupName: '/ecs/shop-web',
          logGroupIdentifier: '/ecs/shop-web',
          logStreamName: `ecs/web/${id}`,
        }),
      ),
    );
    expect(both.name).toBe('InvalidParameterException');
  });

  it('refuses to log for a container without the awslogs driver', async () => {
    const { aws, ecs } = await seededAws();
    await using _aws = aws;
    const run = await ecs.send(new RunTaskCommand(runInput()));
    expect(() => aws.containerLog(run.tasks?.[0]?.taskArn as string, 'web', ['x'])).toThrow(
      /does not log to CloudWatch/,
    );
  });

  describe('paging', () => {
    async function loggingTask(now?: () => number) {
      const { aws, ecs } = await seededAws(now);
      aws.addTaskDefinition(demoLoggingTaskDefinition());
      const run = await ecs.send(
        new RunTaskCommand(runInput({ taskDefinition: 'shop-web-logged' })),
      );
      const arn = run.tasks?.[0]?.taskArn as string;
      const logs = new CloudWatchLogsClient(clientConfig(aws));
      const read = (input: Partial<GetLogEventsCommandInput> = {}) =>
        logs.send(
          new GetLogEventsCommand({
            logGroupName: '/ecs/shop-web',
            logStreamName: `ecs/web/${arn.split('/').at(-1)}`,
            ...input,
          }),
        );
      return { aws, arn, read };
    }

    it('follows nextBackwardToken to older events, and hands the same token back at the start', async () => {
      const { aws, arn, read } = await loggingTask();
      await using _aws = aws;
      aws.containerLog(arn, 'web', ['one', 'two', 'three', 'four', 'five']);
      const newest = await read({ limit: 2 });
      expect(newest.events?.map((e) => e.message)).toEqual(['four', 'five']);
      const older = await read({ limit: 2, nextToken: newest.nextBackwardToken });
      expect(older.events?.map((e) => e.message)).toEqual(['two', 'three']);
      const oldest = await read({ limit: 2, nextToken: older.nextBackwardToken });
      expect(oldest.events?.map((e) => e.message)).toEqual(['one']);
      const start = await read({ limit: 2, nextToken: oldest.nextBackwardToken });
      expect(start.events).toEqual([]);
      expect(start.nextBackwardToken).toBe(oldest.nextBackwardToken);
    });

    it('follows nextForwardToken from the head, and hands the same token back at the end', async () => {
      const { aws, arn, read } = await loggingTask();
      await using _aws = aws;
      aws.containerLog(arn, 'web', ['one', 'two', 'three']);
      const head = await read({ limit: 2, startFromHead: true });
      expect(head.events?.map((e) => e.message)).toEqual(['one', 'two']);
      const rest = await read({ limit: 2, startFromHead: true, nextToken: head.nextForwardToken });
      expect(rest.events?.map((e) => e.message)).toEqual(['three']);
      const end = await read({ limit: 2, startFromHead: true, nextToken: rest.nextForwardToken });
      expect(end.events).toEqual([]);
      expect(end.nextForwardToken).toBe(rest.nextForwardToken);
      // What the container prints later is behind the same token.
      aws.containerLog(arn, 'web', ['four']);
      const later = await read({ startFromHead: true, nextToken: end.nextForwardToken });
      expect(later.events?.map((e) => e.message)).toEqual(['four']);
    });

    it('answers empty pages across a quiet stretch while older events lie behind the token', async () => {
      const clock = manualClock();
      const { aws, arn, read } = await loggingTask(clock.now);
      await using _aws = aws;
      aws.containerLog(arn, 'web', ['Error: boom', '    at main (server.js:3)']);
      clock.advance(5 * 60_000);
      aws.splitLogPagesEvery(60_000);
      const newest = await read();
      expect(newest.events).toEqual([]);
      expect(newest.nextBackwardToken).toMatch(/^b\/[0-9]{56}$/);
      let token = newest.nextBackwardToken;
      const found: string[] = [];
      for (let page = 0; page < 10 && found.length === 0; page++) {
        const answer = await read({ nextToken: token });
        found.push(...(answer.events ?? []).map((e) => e.message as string));
        expect(answer.nextBackwardToken).not.toBe(token);
        token = answer.nextBackwardToken;
      }
      expect(found).toEqual(['Error: boom', '    at main (server.js:3)']);
    });

    it('refuses a forward token without startFromHead, and a token it never handed out', async () => {
      const { aws, arn, read } = await loggingTask();
      await using _aws = aws;
      aws.containerLog(arn, 'web', ['one']);
      const first = await read();
      const forward = await rejection(read({ nextToken: first.nextForwardToken }));
      expect(forward.name).toBe('InvalidParameterException');
      const made = await rejection(read({ nextToken: 'f/123' }));
      expect(made.name).toBe('InvalidParameterException');
    });
  });
});
