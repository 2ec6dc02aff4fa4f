import { CloudWatchLogsClient, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { ECSClient, RunTaskCommand, StopTaskCommand } from '@aws-sdk/client-ecs';
import { describe, expect, it } from 'vitest';
import { startAwsStandIn } from '../src/aws.js';
import { demoLoggingTaskDefinition, demoTaskDefinition } from '../src/demo.js';
import { clientConfig, runInput } from './aws-fixtures.js';

describe('AWS stand-in: review apps that answer (serveApps)', () => {
  it('serves a RUNNING task on its own port and closes it when the task stops', async () => {
    await using aws = await startAwsStandIn({
      serveApps: (task) => `<h1>app of ${task.containers[0]?.image}</h1>`,
    });
    aws.addTaskDefinition(demoTaskDefinition());
    const ecs = new ECSClient(clientConfig(aws));
    const run = await ecs.send(new RunTaskCommand(runInput()));
    const arn = run.tasks?.[0]?.taskArn as string;
    expect(await aws.appUrl(arn)).toBeUndefined();

    aws.runTaskNow(arn);
    const url = await aws.appUrl(arn);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:[0-9]+$/);
    const page = await fetch(url as string);
    expect(await page.text()).toBe('<h1>app of registry.example.test/acme/shop:main</h1>');

    await ecs.send(new StopTaskCommand({ cluster: 'review-apps', task: arn }));
    expect(await aws.appUrl(arn)).toBeUndefined();
    await expect(fetch(url as string)).rejects.toThrow();
  });

  it('prints when the app starts and per request, into CloudWatch when the container logs there', async () => {
    await using aws = await startAwsStandIn({ serveApps: true });
    aws.addTaskDefinition(demoLoggingTaskDefinition());
    const ecs = new ECSClient(clientConfig(aws));
    const run = await ecs.send(new RunTaskCommand(runInput({ taskDefinition: 'shop-web-logged' })));
    const arn = run.tasks?.[0]?.taskArn as string;
    aws.runTaskNow(arn);
    await fetch(`${await aws.appUrl(arn)}/cart?item=1`);

    const logs = new CloudWatchLogsClient(clientConfig(aws));
    const answer = await logs.send(
      new GetLogEventsCommand({
        logGroupName: '/ecs/shop-web',
        logStreamName: `ecs/web/${arn.split('/').at(-1)}`,
      }),
    );
    expect(answer.events?.map((e) => e.message)).toEqual([
      'Starting the review app',
      'Ready: accepting HTTP requests',
      'GET /cart?item=1 200',
    ]);
  });

  it('opens no server unless asked', async () => {
    await using aws = await startAwsStandIn();
    aws.addTaskDefinition(demoTaskDefinition());
    const ecs = new ECSClient(clientConfig(aws));
    const run = await ecs.send(new RunTaskCommand(runInput()));
    const arn = run.tasks?.[0]?.taskArn as string;
    aws.runTaskNow(arn);
    expect(await aws.appUrl(arn)).toBeUndefined();
  });
});
