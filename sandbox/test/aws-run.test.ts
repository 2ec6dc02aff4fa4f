import {
  DescribeTasksCommand,
  ListTasksCommand,
  RunTaskCommand,
  type RunTaskCommandInput,
} from '@aws-sdk/client-ecs';
import { describe, expect, it } from 'vitest';
import { rejection, runInput, seededAws } from './aws-fixtures.js';

describe('AWS stand-in: RunTask', () => {
  it('starts a Fargate task and answers a full Task object', async () => {
    const { aws, ecs } = await seededAws();
    await using _ = aws;
    const answer = await ecs.send(
      new RunTaskCommand(
        runInput({
          tags: [{ key: 'review-app:mr', value: '42' }],
          overrides: {
            containerOverrides: [{ name: 'web', environment: [{ name: 'A', value: '1' }] }],
          },
        }),
      ),
    );
    expect(answer.failures).toEqual([]);
    const task = answer.tasks?.[0];
    expect(task?.taskArn).toMatch(
      /^arn:aws:ecs:us-east-1:123456789012:task\/review-apps\/[0-9a-f]{32}$/,
    );
    expect(task).toMatchObject({
      clusterArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/review-apps',
      taskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/shop-web:1',
      lastStatus: 'PROVISIONING',
      desiredStatus: 'RUNNING',
      launchType: 'FARGATE',
      cpu: '256',
      memory: '512',
      startedBy: 'review-app-bot',
      group: 'family:shop-web',
      tags: [{ key: 'review-app:mr', value: '42' }],
      containers: [
        {
          name: 'web',
          image: 'registry.example.test/acme/shop:main',
          lastStatus: 'PENDING',
          taskArn: task?.taskArn,
        },
      ],
      attachments: [
        {
          type: 'ElasticNetworkInterface',
          status: 'PRECREATED',
          details: [{ name: 'subnetId', value: 'subnet-0123456789abcdef0' }],
        },
      ],
    });
    expect(task?.createdAt).toBeInstanceOf(Date);
    expect(task?.overrides?.containerOverrides?.[0]?.environment).toEqual([
      { name: 'A', value: '1' },
    ]);
    expect(aws.operations()).toEqual(['RunTask']);
    expect(aws.callsTo('RunTask')[0]).toMatchObject({ startedBy: 'review-app-bot' });
  });

  it('returns the same task for the same clientToken', async () => {
    const { aws, ecs } = await seededAws();
    await using _ = aws;
    const input = runInput({ clientToken: 'mr-42-abc123-launch-1' });
    const first = await ecs.send(new RunTaskCommand(input));
    const again = await ecs.send(new RunTaskCommand(input));
    expect(again.tasks?.[0]?.taskArn).toBe(first.tasks?.[0]?.taskArn);
    expect(aws.tasks()).toHaveLength(1);
    const other = await ecs.send(new RunTaskCommand({ ...input, clientToken: 'another' }));
    expect(other.tasks?.[0]?.taskArn).not.toBe(first.tasks?.[0]?.taskArn);
    const tooLong = await rejection(
      ecs.send(new RunTaskCommand({ ...input, clientToken: 'x'.repeat(65) })),
    );
    expect(tooLong.name).toBe('InvalidParameterException');
  });

  it('places on FARGATE_SPOT through a capacity provider strategy', async () => {
    const { aws, ecs } = await seededAws();
    await using _ = aws;
    const { tasks } = await ecs.send(
      new RunTaskCommand(
        runInput({
          launchType: undefined,
          capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }],
        }),
      ),
    );
    expect(tasks?.[0]).toMatchObject({
      capacityProviderName: 'FARGATE_SPOT',
      launchType: 'FARGATE',
    });
  });

  it('refuses what ECS refuses, with the SDK naming the exception', async () => {
    const { aws, ecs } = await seededAws();
    await using _ = aws;
    const vpc = {
      subnets: ['subnet-0123456789abcdef0'],
      securityGroups: ['sg-0123456789abcdef0'],
      assignPublicIp: 'ENABLED' as const,
    };
    const cases: [Partial<RunTaskCommandInput>, string, string?][] = [
      [{ cluster: 'nope' }, 'ClusterNotFoundException', 'Cluster not found.'],
      [{ taskDefinition: 'nope' }, 'InvalidParameterException', 'TaskDefinition not found.'],
      [
        { capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }] },
        'InvalidParameterException',
      ],
      [{ networkConfiguration: undefined }, 'InvalidParameterException'],
      [
        { networkConfiguration: { awsvpcConfiguration: { ...vpc, subnets: [] } } },
        'InvalidParameterException',
      ],
      [
        {
          networkConfiguration: {
            awsvpcConfiguration: {
              ...vpc,
              subnets: Array.from({ length: 17 }, (_, i) => `subnet-${i}a`),
            },
          },
        },
        'InvalidParameterException',
      ],
      [
        {
          networkConfiguration: {
            awsvpcConfiguration: {
              ...vpc,
              securityGroups: Array.from({ length: 6 }, (_, i) => `sg-${i}a`),
            },
          },
        },
        'InvalidParameterException',
      ],
      [{ startedBy: 'review app bot' }, 'InvalidParameterException'],
      [{ startedBy: 'x'.repeat(129) }, 'InvalidParameterException'],
      [{ tags: [{ key: 'review-app:title', value: 'a,b' }] }, 'InvalidParameterException'],
      [
        { tags: Array.from({ length: 51 }, (_, i) => ({ key: `k${i}`, value: 'v' })) },
        'InvalidParameterException',
      ],
      [
        { overrides: { containerOverrides: [{ name: 'web', command: ['x'.repeat(9000)] }] } },
        'InvalidParameterException',
      ],
      [{ overrides: { containerOverrides: [{ name: 'db' }] } }, 'InvalidParameterException'],
      [{ launchType: undefined }, 'InvalidParameterException'],
    ];
    for (const [change, name, message] of cases) {
      const error = await rejection(ecs.send(new RunTaskCommand(runInput(change))));
      expect(error.name, JSON.stringify(change).slice(0, 80)).toBe(name);
      if (message) expect(error.message).toBe(message);
      expect((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode).toBe(
        400,
      );
    }
    expect(aws.tasks()).toEqual([]);
  });

  it('answers injected failures without starting anything', async () => {
    const { aws, ecs } = await seededAws();
    await using _ = aws;
    aws.failNextRunTask([
      {
        reason: 'RESOURCE:FARGATE',
        detail:
          'Capacity is unavailable at this time. Please try again later or in a different availability zone',
      },
    ]);
    const failed = await ecs.send(new RunTaskCommand(runInput()));
    expect(failed.tasks).toEqual([]);
    expect(failed.failures?.[0]?.reason).toBe('RESOURCE:FARGATE');
    const ok = await ecs.send(new RunTaskCommand(runInput()));
    expect(ok.tasks).toHaveLength(1);
  });

  it('describes at most 100 tasks a call and pages ListTasks by startedBy', async () => {
    const { aws, ecs } = await seededAws();
    await using _ = aws;
    for (let i = 0; i < 25; i += 1) {
      await ecs.send(new RunTaskCommand(runInput({ count: 10 })));
    }
    await ecs.send(new RunTaskCommand(runInput({ startedBy: 'someone-else' })));

    const arns: string[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const page = await ecs.send(
        new ListTasksCommand({ cluster: 'review-apps', startedBy: 'review-app-bot', nextToken }),
      );
      arns.push(...(page.taskArns ?? []));
      nextToken = page.nextToken;
      pages += 1;
    } while (nextToken);
    expect(arns).toHaveLength(250);
    expect(new Set(arns).size).toBe(250);
    expect(pages).toBe(3);

    const tooMany = await rejection(
      ecs.send(new DescribeTasksCommand({ cluster: 'review-apps', tasks: arns.slice(0, 101) })),
    );
    expect([tooMany.name, tooMany.message]).toEqual([
      'InvalidParameterException',
      'Tasks cannot be longer than 100.',
    ]);
    const described = await ecs.send(
      new DescribeTasksCommand({
        cluster: 'review-apps',
        tasks: [...arns.slice(0, 99), 'arn:aws:ecs:us-east-1:123456789012:task/review-apps/0'],
        include: ['TAGS'],
      }),
    );
    expect(described.tasks).toHaveLength(99);
    expect(described.failures).toEqual([
      { arn: 'arn:aws:ecs:us-east-1:123456789012:task/review-apps/0', reason: 'MISSING' },
    ]);
    expect(described.tasks?.every((t) => Array.isArray(t.tags))).toBe(true);
    const untagged = await ecs.send(
      new DescribeTasksCommand({ cluster: 'review-apps', tasks: arns.slice(0, 1) }),
    );
    expect(untagged.tasks?.[0]?.tags).toBeUndefined();

    const small = await ecs.send(new ListTasksCommand({ cluster: 'review-apps', maxResults: 7 }));
    expect(small.taskArns).toHaveLength(7);
    const badFilter = await rejection(
      ecs.send(
        new ListTasksCommand({ cluster: 'review-apps', startedBy: 'x', family: 'shop-web' }),
      ),
    );
    expect(badFilter.name).toBe('InvalidParameterException');
    expect(badFilter.message).toBe('cannot specify startedBy with other arguments');
    const withStatus = await rejection(
      ecs.send(
        new ListTasksCommand({ cluster: 'review-apps', startedBy: 'x', desiredStatus: 'STOPPED' }),
      ),
    );
    expect(withStatus.name).toBe('InvalidParameterException');
  });
});
