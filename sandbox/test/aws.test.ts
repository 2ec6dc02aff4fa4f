import {
  DeregisterTaskDefinitionCommand,
  DescribeTaskDefinitionCommand,
  ListTaskDefinitionsCommand,
  RegisterTaskDefinitionCommand,
  type RegisterTaskDefinitionCommandInput,
  RunTaskCommand,
  TagResourceCommand,
} from '@aws-sdk/client-ecs';
import { describe, expect, it } from 'vitest';
import { manualClock, rejection, runInput, seededAws } from './aws-fixtures.js';

const READ_ONLY = [
  'taskDefinitionArn',
  'revision',
  'status',
  'requiresAttributes',
  'compatibilities',
  'registeredAt',
  'registeredBy',
  'deregisteredAt',
  'deleteRequestedAt',
] as const;

describe('AWS stand-in: task definitions with @aws-sdk/client-ecs', () => {
  it('describes a task definition by family, family:revision and ARN', async () => {
    const clock = manualClock();
    const { aws, ecs } = await seededAws(clock.now);
    await using _ = aws;

    const byFamily = await ecs.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: 'shop-web' }),
    );
    const td = byFamily.taskDefinition;
    expect(td).toMatchObject({
      taskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/shop-web:1',
      family: 'shop-web',
      revision: 1,
      status: 'ACTIVE',
      compatibilities: ['EC2', 'FARGATE'],
      requiresCompatibilities: ['FARGATE'],
      networkMode: 'awsvpc',
      cpu: '256',
      memory: '512',
      registeredBy: 'arn:aws:iam::123456789012:user/platform-engineer',
    });
    expect(td?.registeredAt).toEqual(new Date(clock.now()));
    expect(td?.requiresAttributes).toContainEqual({ name: 'ecs.capability.task-eni' });
    expect(td?.containerDefinitions?.[0]?.portMappings).toEqual([
      { containerPort: 3000, hostPort: 3000, protocol: 'tcp' },
    ]);
    expect(byFamily.tags).toBeUndefined();

    const withTags = await ecs.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: 'shop-web:1', include: ['TAGS'] }),
    );
    expect(withTags.tags).toEqual([{ key: 'team', value: 'shop' }]);
    const byArn = await ecs.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: td?.taskDefinitionArn }),
    );
    expect(byArn.taskDefinition?.revision).toBe(1);

    const missing = await rejection(
      ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'nope' })),
    );
    expect(missing.name).toBe('ClientException');
    expect(missing.message).toBe('Unable to describe task definition.');
  });

  it('registers a copy under another family, revision by revision, and deregisters', async () => {
    const { aws, ecs } = await seededAws();
    await using _ = aws;
    const { taskDefinition: base, tags } = await ecs.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: 'shop-web', include: ['TAGS'] }),
    );
    const copy: Record<string, unknown> = { ...base };
    for (const key of READ_ONLY) delete copy[key];
    const input = {
      ...copy,
      family: 'shop-web-review-app',
      tags,
      containerDefinitions: base?.containerDefinitions?.map((c) => ({
        ...c,
        image: 'registry.example.test/acme/shop:abc123',
      })),
    } as RegisterTaskDefinitionCommandInput;

    const first = await ecs.send(new RegisterTaskDefinitionCommand(input));
    const second = await ecs.send(new RegisterTaskDefinitionCommand(input));
    expect(first.taskDefinition?.taskDefinitionArn).toBe(
      'arn:aws:ecs:us-east-1:123456789012:task-definition/shop-web-review-app:1',
    );
    expect(second.taskDefinition?.revision).toBe(2);
    expect(second.tags).toEqual([{ key: 'team', value: 'shop' }]);

    await ecs.send(
      new DeregisterTaskDefinitionCommand({ taskDefinition: 'shop-web-review-app:1' }),
    );
    const active = await ecs.send(
      new ListTaskDefinitionsCommand({ familyPrefix: 'shop-web-review-app' }),
    );
    expect(active.taskDefinitionArns).toEqual([second.taskDefinition?.taskDefinitionArn]);
    const inactive = await ecs.send(
      new ListTaskDefinitionsCommand({ familyPrefix: 'shop-web-review-app', status: 'INACTIVE' }),
    );
    expect(inactive.taskDefinitionArns).toEqual([first.taskDefinition?.taskDefinitionArn]);

    const run = await rejection(
      ecs.send(new RunTaskCommand(runInput({ taskDefinition: 'shop-web-review-app:1' }))),
    );
    expect([run.name, run.message]).toEqual([
      'InvalidParameterException',
      'TaskDefinition is inactive',
    ]);

    const paged = await ecs.send(new ListTaskDefinitionsCommand({ maxResults: 1 }));
    expect(paged.taskDefinitionArns).toHaveLength(1);
    const rest = await ecs.send(
      new ListTaskDefinitionsCommand({ maxResults: 1, nextToken: paged.nextToken }),
    );
    expect(rest.taskDefinitionArns).toEqual([second.taskDefinition?.taskDefinitionArn]);
    expect(rest.nextToken).toBeUndefined();
  });

  it('the SDK drops read-only fields itself; the stand-in refuses them on the wire', async () => {
    const { aws, ecs } = await seededAws();
    await using _ = aws;
    const { taskDefinition } = await ecs.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: 'shop-web' }),
    );
    // Passing the described definition as is "works" through SDK v3: it serialises only modelled members.
    await ecs.send(
      new RegisterTaskDefinitionCommand(taskDefinition as RegisterTaskDefinitionCommandInput),
    );
    expect(Object.keys(aws.callsTo('RegisterTaskDefinition')[0] ?? {})).not.toContain('revision');

    const raw = await fetch(aws.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'AmazonEC2ContainerServiceV20141113.RegisterTaskDefinition',
      },
      body: JSON.stringify(taskDefinition),
    });
    expect(raw.status).toBe(400);
    expect(raw.headers.get('x-amzn-errortype')).toBe('ClientException');
    expect(await raw.json()).toMatchObject({ __type: 'ClientException' });
  });

  it('validates Fargate definitions as ECS does', async () => {
    const { aws, ecs } = await seededAws();
    await using _ = aws;
    const base: RegisterTaskDefinitionCommandInput = {
      family: 'bad',
      requiresCompatibilities: ['FARGATE'],
      networkMode: 'awsvpc',
      cpu: '256',
      memory: '512',
      containerDefinitions: [{ name: 'web', image: 'img' }],
    };
    const cases: [Partial<RegisterTaskDefinitionCommandInput>, string][] = [
      [{ cpu: undefined }, "Fargate requires that 'cpu' be defined at the task level."],
      [{ networkMode: 'bridge' }, "Fargate only supports network mode 'awsvpc'."],
      [
        { memory: '4096' },
        'No Fargate configuration exists for given values: 256 CPU, 4096 memory.',
      ],
      [{ containerDefinitions: [{ name: 'web' }] }, 'Container.image should not be null'],
      [
        {
          containerDefinitions: [
            { name: 'web', image: 'i', portMappings: [{ containerPort: 3000, hostPort: 80 }] },
          ],
        },
        'host ports and container ports in port mappings must match',
      ],
    ];
    for (const [change, message] of cases) {
      const error = await rejection(
        ecs.send(new RegisterTaskDefinitionCommand({ ...base, ...change })),
      );
      expect(error.name).toBe('ClientException');
      expect(error.message).toContain(message);
    }
    const badTag = await rejection(
      ecs.send(new RegisterTaskDefinitionCommand({ ...base, tags: [{ key: 'x', value: 'a,b' }] })),
    );
    expect(badTag.name).toBe('InvalidParameterException');
  });
});

describe('AWS stand-in: tags', () => {
  it('tags a task, refusing what ECS refuses', async () => {
    const { aws, ecs } = await seededAws();
    await using _ = aws;
    const { tasks } = await ecs.send(
      new RunTaskCommand(
        runInput({ tags: [{ key: 'review-app:mr', value: '42' }], enableECSManagedTags: true }),
      ),
    );
    const resourceArn = tasks?.[0]?.taskArn ?? '';
    expect(tasks?.[0]?.tags).toContainEqual({ key: 'aws:ecs:clusterName', value: 'review-apps' });

    await ecs.send(
      new TagResourceCommand({
        resourceArn,
        tags: [
          { key: 'review-app:deadline', value: '2026-11-27T12:30:00Z' },
          { key: 'review-app:mr', value: '43' },
        ],
      }),
    );
    expect(aws.task(resourceArn)?.tags).toEqual([
      { key: 'review-app:mr', value: '43' },
      { key: 'aws:ecs:clusterName', value: 'review-apps' },
      { key: 'review-app:deadline', value: '2026-11-27T12:30:00Z' },
    ]);

    const refused: [string, string][] = [
      ['review-app:title', 'Fix <script> & "quotes"'],
      ['review-app:title', 'é'.repeat(100) + 'x'.repeat(157)],
      ['aws:owner', 'me'],
      ['', 'empty key'],
      ['k'.repeat(129), 'long key'],
      ['review-app:thread', '1700000000.123#C123'],
    ];
    for (const [key, value] of refused) {
      const error = await rejection(
        ecs.send(new TagResourceCommand({ resourceArn, tags: [{ key, value }] })),
      );
      expect(error.name, `${key}=${value}`).toBe('InvalidParameterException');
    }
    const tooMany = Array.from({ length: 50 }, (_, i) => ({ key: `k${i}`, value: 'v' }));
    const limit = await rejection(ecs.send(new TagResourceCommand({ resourceArn, tags: tooMany })));
    expect(limit.name).toBe('InvalidParameterException'); // 50 new + 2 existing > 50 (aws: not counted)
    await ecs.send(
      new TagResourceCommand({
        resourceArn,
        tags: [{ key: 'Ünïcode ok', value: 'a_b.c:d/e=f+g-h@i' }],
      }),
    );
    // Exactly 50 of ours (the aws: tag is not counted).
    await ecs.send(new TagResourceCommand({ resourceArn, tags: tooMany.slice(3) }));
    expect(aws.task(resourceArn)?.tags).toHaveLength(51);

    const unknown = await rejection(
      ecs.send(
        new TagResourceCommand({
          resourceArn: 'arn:aws:ecs:us-east-1:123456789012:task/review-apps/0123',
          tags: [{ key: 'k', value: 'v' }],
        }),
      ),
    );
    expect(unknown.name).toBe('ResourceNotFoundException');
  });
});

describe('AWS stand-in: faults', () => {
  it('answers an injected ECS fault the way the SDK expects', async () => {
    const { aws, ecs } = await seededAws();
    await using _ = aws;
    aws.fault({
      match: 'RunTask',
      times: 1,
      reply: {
        status: 400,
        headers: { 'content-type': 'application/x-amz-json-1.1' },
        body: JSON.stringify({ __type: 'ThrottlingException', message: 'Rate exceeded' }),
      },
    });
    const throttled = await rejection(ecs.send(new RunTaskCommand(runInput())));
    expect([throttled.name, throttled.message]).toEqual(['ThrottlingException', 'Rate exceeded']);
    const ok = await ecs.send(new RunTaskCommand(runInput()));
    expect(ok.tasks).toHaveLength(1);
    expect(aws.operations()).toEqual(['RunTask', 'RunTask']);
  });

  it('records requests that are not AWS calls as UNKNOWN', async () => {
    const { aws } = await seededAws();
    await using _ = aws;
    const reply = await fetch(`${aws.url}/healthz`);
    expect(reply.status).toBe(400);
    expect(aws.operations()).toEqual(['UNKNOWN GET /healthz']);
  });
});
