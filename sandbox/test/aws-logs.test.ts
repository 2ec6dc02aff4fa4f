import {
  CloudWatchLogsClient,
  GetLogEventsCommand,
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
});
