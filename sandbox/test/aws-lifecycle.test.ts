import { DescribeNetworkInterfacesCommand } from '@aws-sdk/client-ec2';
import {
  DescribeTasksCommand,
  type ECSClient,
  ListTasksCommand,
  RunTaskCommand,
  StopTaskCommand,
  type Task,
} from '@aws-sdk/client-ecs';
import { describe, expect, it } from 'vitest';
import { manualClock, rejection, runInput, seededAws } from './aws-fixtures.js';

const describeOne = async (ecs: ECSClient, arn: string): Promise<Task> => {
  const { tasks } = await ecs.send(
    new DescribeTasksCommand({ cluster: 'review-apps', tasks: [arn] }),
  );
  return tasks?.[0] as Task;
};

const detail = (task: Task, name: string) =>
  task.attachments?.[0]?.details?.find((d) => d.name === name)?.value;

describe('AWS stand-in: task lifecycle', () => {
  it('moves a task one step per DescribeTasks to RUNNING, then EC2 knows its public IP', async () => {
    const clock = manualClock();
    const { aws, ecs, ec2 } = await seededAws(clock.now);
    await using _ = aws;
    const { tasks } = await ecs.send(new RunTaskCommand(runInput()));
    const arn = tasks?.[0]?.taskArn ?? '';

    const seen: (string | undefined)[] = [];
    let task: Task;
    do {
      clock.advance(5_000);
      task = await describeOne(ecs, arn);
      seen.push(task.lastStatus);
    } while (task.lastStatus !== 'RUNNING');
    expect(seen).toEqual(['PENDING', 'ACTIVATING', 'RUNNING']);
    expect(task.attachments?.[0]?.status).toBe('ATTACHED');
    expect(task.containers?.[0]?.lastStatus).toBe('RUNNING');
    expect(task.startedAt).toEqual(new Date(clock.now()));
    expect(task.pullStartedAt?.getTime()).toBeLessThan(clock.now());

    const eni = detail(task, 'networkInterfaceId') ?? '';
    expect(eni).toMatch(/^eni-[0-9a-f]{17}$/);
    expect(detail(task, 'privateIPv4Address')).toMatch(/^10\.0\.\d+\.\d+$/);
    const { NetworkInterfaces } = await ec2.send(
      new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [eni] }),
    );
    expect(NetworkInterfaces).toHaveLength(1);
    expect(NetworkInterfaces?.[0]?.PrivateIpAddress).toBe(detail(task, 'privateIPv4Address'));
    expect(NetworkInterfaces?.[0]?.Association?.PublicIp).toMatch(/^203\.0\.113\.\d+$/);
    expect(aws.networkInterface(arn)?.publicIp).toBe(NetworkInterfaces?.[0]?.Association?.PublicIp);
    expect(aws.operations()).toEqual([
      'RunTask',
      'DescribeTasks',
      'DescribeTasks',
      'DescribeTasks',
      'DescribeNetworkInterfaces',
    ]);
    expect(aws.callsTo('DescribeNetworkInterfaces')[0]).toMatchObject({
      Action: 'DescribeNetworkInterfaces',
      'NetworkInterfaceId.1': eni,
    });

    const byIp = await ec2.send(
      new DescribeNetworkInterfacesCommand({
        Filters: [
          {
            Name: 'addresses.private-ip-address',
            Values: [detail(task, 'privateIPv4Address') ?? ''],
          },
        ],
      }),
    );
    expect(byIp.NetworkInterfaces?.map((n) => n.NetworkInterfaceId)).toEqual([eni]);
  });

  it('with a start time of its own, runs no sooner than that after RunTask, however often described', async () => {
    const clock = manualClock();
    const { aws, ecs } = await seededAws(clock.now, { startupMs: 2_000 });
    await using _ = aws;
    const { tasks } = await ecs.send(new RunTaskCommand(runInput()));
    const arn = tasks?.[0]?.taskArn ?? '';
    const seen: string[] = [];
    for (let i = 0; i < 5; i++) seen.push((await describeOne(ecs, arn)).lastStatus ?? '');
    expect(seen).toEqual(['PENDING', 'ACTIVATING', 'ACTIVATING', 'ACTIVATING', 'ACTIVATING']);
    clock.advance(2_000);
    expect((await describeOne(ecs, arn)).lastStatus).toBe('RUNNING');
  });

  it('gives no public address without assignPublicIp, a distinct one per task with it', async () => {
    const { aws, ecs, ec2 } = await seededAws();
    await using _ = aws;
    const vpc = { subnets: ['subnet-0123456789abcdef0'], securityGroups: [] };
    const privateOnly = await ecs.send(
      new RunTaskCommand(
        runInput({
          networkConfiguration: { awsvpcConfiguration: { ...vpc, assignPublicIp: 'DISABLED' } },
        }),
      ),
    );
    const publicA = await ecs.send(new RunTaskCommand(runInput()));
    const publicB = await ecs.send(new RunTaskCommand(runInput()));
    const arns = [privateOnly, publicA, publicB].map((r) => r.tasks?.[0]?.taskArn ?? '');
    for (const arn of arns) aws.runTaskNow(arn);
    const { tasks } = await ecs.send(
      new DescribeTasksCommand({ cluster: 'review-apps', tasks: arns }),
    );
    const enis = (tasks ?? []).map((t) => detail(t, 'networkInterfaceId') ?? '');
    const { NetworkInterfaces } = await ec2.send(
      new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: enis }),
    );
    const publicIps = NetworkInterfaces?.map((n) => n.Association?.PublicIp);
    expect(publicIps?.[0]).toBeUndefined();
    expect(publicIps?.[1]).toBeDefined();
    expect(publicIps?.[1]).not.toBe(publicIps?.[2]);

    const missing = await rejection(
      ec2.send(
        new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: ['eni-0000000000000000f'] }),
      ),
    );
    expect(missing.name).toBe('InvalidNetworkInterfaceID.NotFound');
  });

  it('pages DescribeNetworkInterfaces by filter, and refuses MaxResults beside ids as EC2 does', async () => {
    const { aws, ecs, ec2 } = await seededAws();
    await using _ = aws;
    const arns: string[] = [];
    for (let i = 0; i < 7; i++) {
      const arn = (await ecs.send(new RunTaskCommand(runInput()))).tasks?.[0]?.taskArn ?? '';
      aws.runTaskNow(arn);
      arns.push(arn);
    }
    const enis = arns.map((arn) => aws.networkInterface(arn)?.networkInterfaceId ?? '');
    const filter = {
      Name: 'network-interface-id',
      // An ENI that is gone is left out, where the ids list would refuse the whole call.
      Values: [...enis, 'eni-0000000000000000f'],
    };
    const seen: string[] = [];
    let NextToken: string | undefined;
    let pages = 0;
    do {
      const page = await ec2.send(
        new DescribeNetworkInterfacesCommand({ Filters: [filter], MaxResults: 5, NextToken }),
      );
      for (const eni of page.NetworkInterfaces ?? []) seen.push(eni.NetworkInterfaceId ?? '');
      NextToken = page.NextToken;
      pages += 1;
    } while (NextToken);
    expect(pages).toBe(2);
    expect(seen.sort()).toEqual([...enis].sort());

    const combined = await rejection(
      ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: enis, MaxResults: 5 })),
    );
    expect(combined.name).toBe('InvalidParameterCombination');

    const tooMany = Array.from({ length: 201 }, (_, i) => `eni-${String(i).padStart(17, '0')}`);
    const limited = await rejection(
      ec2.send(
        new DescribeNetworkInterfacesCommand({
          Filters: [{ Name: 'network-interface-id', Values: tooMany }],
        }),
      ),
    );
    expect(limited.name).toBe('FilterLimitExceeded');
  });

  it('stops a task on StopTask: UserInitiated, SIGTERM exit codes, still describable', async () => {
    const { aws, ecs, ec2 } = await seededAws();
    await using _ = aws;
    const arn = (await ecs.send(new RunTaskCommand(runInput()))).tasks?.[0]?.taskArn ?? '';
    aws.runTaskNow(arn);
    const eni = aws.networkInterface(arn)?.networkInterfaceId ?? '';

    const { task: stopping } = await ecs.send(
      new StopTaskCommand({ cluster: 'review-apps', task: arn, reason: 'Review app expired' }),
    );
    expect(stopping).toMatchObject({ lastStatus: 'RUNNING', desiredStatus: 'STOPPED' });
    const running = await ecs.send(new ListTasksCommand({ cluster: 'review-apps' }));
    expect(running.taskArns).toEqual([]);

    const stopped = await describeOne(ecs, arn);
    expect(stopped).toMatchObject({
      lastStatus: 'STOPPED',
      stopCode: 'UserInitiated',
      stoppedReason: 'Review app expired',
      containers: [expect.objectContaining({ lastStatus: 'STOPPED', exitCode: 143 })],
    });
    const listed = await ecs.send(
      new ListTasksCommand({
        cluster: 'review-apps',
        desiredStatus: 'STOPPED',
        family: 'shop-web',
      }),
    );
    expect(listed.taskArns).toEqual([arn]);
    const gone = await rejection(
      ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [eni] })),
    );
    expect(gone.name).toBe('InvalidNetworkInterfaceID.NotFound');
    const unknown = await rejection(
      ecs.send(new StopTaskCommand({ cluster: 'review-apps', task: '0'.repeat(32) })),
    );
    expect(unknown.name).toBe('InvalidParameterException');
  });

  it('winds a stopping task down (DEACTIVATING, STOPPING) and ends it by the stop timeout even if nobody describes it', async () => {
    const clock = manualClock();
    const { aws, ecs } = await seededAws(clock.now);
    await using _ = aws;
    const arn = (await ecs.send(new RunTaskCommand(runInput()))).tasks?.[0]?.taskArn ?? '';
    aws.runTaskNow(arn);
    const { task: answer } = await ecs.send(
      new StopTaskCommand({ cluster: 'review-apps', task: arn }),
    );
    const stoppingAt = clock.now();
    expect(answer).toMatchObject({ lastStatus: 'RUNNING', desiredStatus: 'STOPPED' });

    // Until it ends, the task winds down in view as ECS shows it: DEACTIVATING, then STOPPING.
    expect(aws.task(arn)).toMatchObject({ lastStatus: 'DEACTIVATING', desiredStatus: 'STOPPED' });
    clock.advance(1_000);
    expect(aws.task(arn)).toMatchObject({ lastStatus: 'STOPPING', desiredStatus: 'STOPPED' });
    clock.advance(28_000);
    expect(aws.task(arn)?.lastStatus).toBe('STOPPING');
    clock.advance(1_000);
    expect(aws.task(arn)?.lastStatus).toBe('STOPPED');
    const stopped = await describeOne(ecs, arn);
    expect(stopped.stoppedAt).toEqual(new Date(stoppingAt + 30_000));
    expect(stopped.containers?.[0]).toMatchObject({ lastStatus: 'STOPPED', exitCode: 143 });
  });

  it('fails to start with the configured reason, or stays pending', async () => {
    const { aws, ecs } = await seededAws();
    await using _ = aws;
    aws.setLaunchBehaviour({
      failToStart: {
        stoppedReason: 'CannotPullContainerError: pull image manifest has been retried 5 time(s)',
      },
    });
    const failing = (await ecs.send(new RunTaskCommand(runInput()))).tasks?.[0]?.taskArn ?? '';
    expect((await describeOne(ecs, failing)).lastStatus).toBe('PENDING');
    const failed = await describeOne(ecs, failing);
    expect(failed).toMatchObject({
      lastStatus: 'STOPPED',
      stopCode: 'TaskFailedToStart',
      stoppedReason: 'CannotPullContainerError: pull image manifest has been retried 5 time(s)',
    });
    expect(failed.containers?.[0]?.exitCode).toBeUndefined();

    aws.setLaunchBehaviour('stay-pending');
    const stuck = (await ecs.send(new RunTaskCommand(runInput()))).tasks?.[0]?.taskArn ?? '';
    const normal = (await ecs.send(new RunTaskCommand(runInput()))).tasks?.[0]?.taskArn ?? '';
    for (let i = 0; i < 5; i += 1) await describeOne(ecs, stuck);
    expect(aws.task(stuck)?.lastStatus).toBe('PENDING');
    for (let i = 0; i < 3; i += 1) await describeOne(ecs, normal);
    expect(aws.task(normal)?.lastStatus).toBe('RUNNING');
  });

  it('stops the task when an essential container exits, or on a Spot interruption', async () => {
    const { aws, ecs } = await seededAws();
    await using _ = aws;
    aws.addTaskDefinition({
      family: 'two',
      requiresCompatibilities: ['FARGATE'],
      networkMode: 'awsvpc',
      cpu: '256',
      memory: '512',
      containerDefinitions: [
        { name: 'web', image: 'img' },
        { name: 'sidecar', image: 'side', essential: false },
      ],
    });
    const arn = (await ecs.send(new RunTaskCommand(runInput({ taskDefinition: 'two' })))).tasks?.[0]
      ?.taskArn as string;
    aws.runTaskNow(arn);
    aws.exitContainer(arn, 'sidecar', 1);
    expect(aws.task(arn)?.lastStatus).toBe('RUNNING');
    aws.exitContainer(arn, 'web', 1, 'crashed');
    expect(await describeOne(ecs, arn)).toMatchObject({
      lastStatus: 'STOPPED',
      stopCode: 'EssentialContainerExited',
      stoppedReason: 'Essential container in task exited',
      containers: [
        expect.objectContaining({ name: 'web', exitCode: 1, reason: 'crashed' }),
        expect.objectContaining({ name: 'sidecar', exitCode: 1 }),
      ],
    });

    const spot = (await ecs.send(new RunTaskCommand(runInput()))).tasks?.[0]?.taskArn as string;
    aws.runTaskNow(spot);
    aws.stopTaskExternally(spot, {
      stopCode: 'SpotInterruption',
      stoppedReason: 'Your Spot Task was interrupted.',
    });
    expect(aws.task(spot)).toMatchObject({ lastStatus: 'STOPPED', stopCode: 'SpotInterruption' });
  });
});
