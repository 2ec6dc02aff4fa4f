import type { CostEstimate } from '../core/cost.js';
import type { StopExplanation } from '../core/diagnosis.js';
import { ReviewAppError } from '../core/errors.js';
import type {
  LaunchSpec,
  PreparedTaskDefinition,
  StopContextOfApp,
  TaskAddress,
  TaskPlatform,
} from '../core/ports.js';
import type { TaskInfo } from '../core/types.js';
import type { AwsClients } from './clients.js';
import { estimateFargateCost } from './cost.js';
import { callAws } from './errors.js';
import type { ListTasksCommandInput, Task } from './sdk/ecs.js';
import type { EcsSettings } from './settings.js';
import { explainStop } from './stop-explanation.js';
import {
  buildReviewDefinition,
  containerPort,
  FINGERPRINT_TAG,
  reviewFamilyOf,
} from './task-definition.js';

const STARTED_BY = 'review-app-bot';
/** How many of the newest review revisions are searched for one to reuse, and kept by clean-up. */
const REUSE_WINDOW = 20;
/** Deregistering is limited to 1/s per account: clean up a few at a time. */
const CLEANUP_BATCH = 5;
/**
 * ENIs looked up in one DescribeNetworkInterfaces. EC2 states no cap on a filter's
 * values, but refuses long lists in practice (apache/druid#1954 met a limit of 200);
 * 100 keeps clear of it, and MaxResults (at most 1000) holds every match in one page.
 */
const ENIS_PER_LOOKUP = 100;
/**
 * Tasks described in one DescribeTasks. ECS takes up to 100, but the SDK reads an
 * answer of 100 tasks with their tags (about 290 KB) in one synchronous stretch of
 * about 20 ms on a small machine, during which no Slack request is answered; 50
 * halves that, and a round of 1,000 apps takes no longer (`npm run bench`).
 * DescribeTasks allows bursts of 100 and 20 a second, far above 20 calls a round.
 */
const TASKS_PER_DESCRIBE = 50;

/** The engine's view of ECS and EC2: one method per SDK command, answers in domain types. */
export class EcsPlatform implements TaskPlatform {
  /** Each revision's fingerprint tag, read once: a revision's tags never change. */
  private readonly fingerprints = new Map<string, string>();
  private baseFamily: string | undefined;

  constructor(
    private readonly clients: AwsClients,
    private readonly ecs: EcsSettings,
  ) {}

  async prepareTaskDefinition(image: string): Promise<PreparedTaskDefinition> {
    const { ecs } = this;
    const base = await callAws('ecs:DescribeTaskDefinition', () =>
      this.clients.ecs.send('DescribeTaskDefinition', {
        taskDefinition: ecs.taskDefinition,
        include: ['TAGS'],
      }),
    );
    if (!base.taskDefinition?.family) {
      throw new ReviewAppError(
        'TASK_DEFINITION_INVALID',
        `ECS did not return the task definition ${ecs.taskDefinition}.`,
      );
    }
    this.baseFamily = base.taskDefinition.family;
    const family = reviewFamilyOf(base.taskDefinition.family, this.ecs.family);
    if (family === base.taskDefinition.family) {
      throw new ReviewAppError(
        'TASK_DEFINITION_INVALID',
        `ECS_TASK_FAMILY must differ from the base family ${family}: review images must never become its latest revision.`,
      );
    }
    const review = buildReviewDefinition(base.taskDefinition, base.tags, {
      image,
      family,
      container: ecs.container,
      guard: ecs.guard,
    });
    const port = containerPort(review.appContainer);
    const known = await this.findRevision(family, review.fingerprint, port);
    if (known) return known;
    const registered = await callAws('ecs:RegisterTaskDefinition', () =>
      this.clients.ecs.send('RegisterTaskDefinition', review.input),
    );
    const arn = registered.taskDefinition?.taskDefinitionArn;
    if (!arn)
      throw new ReviewAppError(
        'AWS_ERROR',
        'ECS registered the task definition but returned no ARN.',
      );
    this.fingerprints.set(arn, review.fingerprint);
    return { arn, reused: false, ...(port ? { port } : {}) };
  }

  /** A revision registered earlier for the same base revision, image and guard. */
  private async findRevision(
    family: string,
    fingerprint: string,
    port: number | undefined,
  ): Promise<PreparedTaskDefinition | undefined> {
    // Only revisions ECS still lists as active: another process may have deregistered one.
    for (const arn of (await this.activeRevisions(family)).slice(0, REUSE_WINDOW)) {
      if (!this.fingerprints.has(arn)) {
        const described = await callAws('ecs:DescribeTaskDefinition', () =>
          this.clients.ecs.send('DescribeTaskDefinition', {
            taskDefinition: arn,
            include: ['TAGS'],
          }),
        );
        this.fingerprints.set(
          arn,
          described.tags?.find((t) => t.key === FINGERPRINT_TAG)?.value ?? '',
        );
      }
      if (this.fingerprints.get(arn) === fingerprint) {
        return { arn, reused: true, ...(port ? { port } : {}) };
      }
    }
    return undefined;
  }

  /** The newest ACTIVE revisions of exactly this family, newest first. */
  private async activeRevisions(family: string): Promise<string[]> {
    const listed = await callAws('ecs:ListTaskDefinitions', () =>
      this.clients.ecs.send('ListTaskDefinitions', {
        familyPrefix: family,
        status: 'ACTIVE',
        sort: 'DESC',
        maxResults: 100,
      }),
    );
    return (listed.taskDefinitionArns ?? []).filter(
      (arn) => arn.split('/').pop()?.replace(/:\d+$/, '') === family,
    );
  }

  async runTask(taskDefinitionArn: string, spec: LaunchSpec): Promise<TaskInfo> {
    const { ecs } = this;
    // The public IP is read once the task runs: load EC2's SDK while it starts, not after.
    if (ecs.assignPublicIp) this.clients.ec2().catch(() => {});
    const answer = await this.callRunTask(() =>
      this.clients.ecs.send('RunTask', {
        cluster: ecs.cluster,
        taskDefinition: taskDefinitionArn,
        count: 1,
        ...(ecs.capacityProvider === 'FARGATE_SPOT'
          ? { capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }] }
          : { launchType: 'FARGATE' as const }),
        networkConfiguration: {
          awsvpcConfiguration: {
            subnets: ecs.subnets,
            ...(ecs.securityGroups.length > 0 ? { securityGroups: ecs.securityGroups } : {}),
            assignPublicIp: ecs.assignPublicIp ? 'ENABLED' : 'DISABLED',
          },
        },
        startedBy: STARTED_BY,
        tags: spec.tags,
        enableECSManagedTags: true,
        clientToken: spec.clientToken,
      }),
    );
    const task = answer.tasks?.[0];
    if (!task) {
      const reasons = (answer.failures ?? []).map((f) =>
        [f.reason, f.detail].filter(Boolean).join(': '),
      );
      const capacity = reasons.some((r) => /capacity|RESOURCE:/i.test(r));
      throw new ReviewAppError(
        'RUN_TASK_FAILED',
        `ECS did not start the task${reasons.length ? `: ${reasons.join('; ')}` : ''}.${
          capacity ? ' Fargate has no capacity for it right now; try again in a few minutes.' : ''
        }`,
        { failures: answer.failures ?? [] },
      );
    }
    return toTaskInfo(task);
  }

  /** RunTask, with the refusal of a provider the cluster lacks turned into what to do. */
  private async callRunTask<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await callAws('ecs:RunTask', call);
    } catch (error) {
      const message = error instanceof Error ? error.message : '';
      if (!/capacity provider that is not associated with the cluster/i.test(message)) throw error;
      const { cluster, capacityProvider } = this.ecs;
      throw new ReviewAppError(
        'RUN_TASK_FAILED',
        `The cluster ${cluster} does not have the ${capacityProvider} capacity provider, so ECS cannot run review apps on it. Attach it with PutClusterCapacityProviders (aws ecs put-cluster-capacity-providers --cluster ${cluster} --capacity-providers FARGATE FARGATE_SPOT --default-capacity-provider-strategy capacityProvider=FARGATE,weight=1; the list replaces the cluster's providers, so name the ones it has too), or set ECS_CAPACITY_PROVIDER=FARGATE.`,
        { failures: [] },
        { cause: error },
      );
    }
  }

  async describeTasks(arns: string[]): Promise<TaskInfo[]> {
    const tasks: TaskInfo[] = [];
    for (let i = 0; i < arns.length; i += TASKS_PER_DESCRIBE) {
      const batch = arns.slice(i, i + TASKS_PER_DESCRIBE);
      const answer = await callAws('ecs:DescribeTasks', () =>
        this.clients.ecs.send('DescribeTasks', {
          cluster: this.ecs.cluster,
          tasks: batch,
          include: ['TAGS'],
        }),
      );
      tasks.push(...(answer.tasks ?? []).map(toTaskInfo));
    }
    return tasks;
  }

  async listTasks(
    options: { known?: string[]; includeStopped?: boolean; onlyStopped?: boolean } = {},
  ): Promise<TaskInfo[]> {
    // ECS refuses startedBy beside any other filter ("cannot specify startedBy with other
    // arguments"); alone it lists running tasks, RUNNING being the default desiredStatus.
    const running = options.onlyStopped
      ? []
      : await this.listPages({ cluster: this.ecs.cluster, startedBy: STARTED_BY });
    const ours = new Set([...running, ...(options.known ?? [])]);
    // Stopped ones are listed by the review family instead, which anyone may run a task of:
    // they are described with the others, and only those the bot started are kept.
    const stopped =
      options.includeStopped || options.onlyStopped
        ? await this.listPages({
            cluster: this.ecs.cluster,
            family: await this.knownReviewFamily(),
            desiredStatus: 'STOPPED',
          })
        : [];
    const tasks = await this.describeTasks([...new Set([...ours, ...stopped])]);
    return tasks.filter((task) => ours.has(task.arn) || task.startedBy === STARTED_BY);
  }

  private async listPages(filter: ListTasksCommandInput): Promise<string[]> {
    const arns: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await callAws('ecs:ListTasks', () =>
        this.clients.ecs.send('ListTasks', {
          ...filter,
          maxResults: 100,
          ...(nextToken ? { nextToken } : {}),
        }),
      );
      arns.push(...(page.taskArns ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
    return arns;
  }

  async stopTask(arn: string, reason: string): Promise<TaskInfo> {
    const answer = await callAws('ecs:StopTask', () =>
      this.clients.ecs.send('StopTask', { cluster: this.ecs.cluster, task: arn, reason }),
    );
    if (!answer.task) throw new ReviewAppError('AWS_ERROR', `ECS did not confirm stopping ${arn}.`);
    return toTaskInfo(answer.task);
  }

  async tagTask(arn: string, tags: { key: string; value: string }[]): Promise<void> {
    await callAws('ecs:TagResource', () =>
      this.clients.ecs.send('TagResource', { resourceArn: arn, tags }),
    );
  }

  async addresses(tasks: TaskInfo[]): Promise<Map<string, TaskAddress>> {
    const found = new Map<string, TaskAddress>();
    const eniOwners = new Map<string, string>();
    for (const task of tasks) {
      found.set(task.arn, task.privateIp ? { privateIp: task.privateIp } : {});
      if (this.ecs.assignPublicIp && task.networkInterfaceId) {
        eniOwners.set(task.networkInterfaceId, task.arn);
      }
    }
    if (eniOwners.size === 0) return found;
    const { client, sdk } = await this.clients.ec2();
    const enis = [...eniOwners.keys()];
    for (let start = 0; start < enis.length; start += ENIS_PER_LOOKUP) {
      // A filter, not the ids list: an ENI deleted since (its task stopped) is left out
      // instead of failing the lookup of all the others (InvalidNetworkInterfaceID.NotFound),
      // and only a filter may be paged ("you cannot specify MaxResults and the network
      // interface IDs parameter in the same request", EC2 API reference).
      const filter = {
        Name: 'network-interface-id',
        Values: enis.slice(start, start + ENIS_PER_LOOKUP),
      };
      let nextToken: string | undefined;
      do {
        const token = nextToken;
        const answer = await callAws('ec2:DescribeNetworkInterfaces', () =>
          client.send(
            new sdk.DescribeNetworkInterfacesCommand({
              Filters: [filter],
              MaxResults: 1000,
              ...(token ? { NextToken: token } : {}),
            }),
          ),
        );
        for (const eni of answer.NetworkInterfaces ?? []) {
          const arn = eniOwners.get(eni.NetworkInterfaceId ?? '');
          const publicIp = eni.Association?.PublicIp;
          if (arn && publicIp) found.set(arn, { ...found.get(arn), publicIp });
        }
        nextToken = answer.NextToken;
      } while (nextToken);
    }
    return found;
  }

  explainStop(task: TaskInfo, app?: StopContextOfApp): StopExplanation {
    return explainStop(task, {
      mode: this.ecs.guard.mode,
      maxLifetimeMs: this.ecs.guard.maxLifetimeMs,
      ...app,
    });
  }

  estimateCost(task: TaskInfo, since: number, now: number): CostEstimate | undefined {
    return estimateFargateCost(task, this.ecs.prices, since, now);
  }

  async cleanUpTaskDefinitions(inUse: Set<string>): Promise<number> {
    const family = await this.knownReviewFamily();
    // The newest revisions stay for reuse; older ones go unless a task still runs them.
    const stale = (await this.activeRevisions(family))
      .slice(REUSE_WINDOW)
      .filter((arn) => !inUse.has(arn));
    for (const arn of stale.slice(0, CLEANUP_BATCH)) {
      await callAws('ecs:DeregisterTaskDefinition', () =>
        this.clients.ecs.send('DeregisterTaskDefinition', { taskDefinition: arn }),
      );
      this.fingerprints.delete(arn);
    }
    return Math.min(stale.length, CLEANUP_BATCH);
  }

  /** The review family, from ECS_TASK_FAMILY or the base definition's family. */
  private async knownReviewFamily(): Promise<string> {
    if (this.ecs.family) return this.ecs.family;
    if (this.baseFamily === undefined) {
      const answer = await callAws('ecs:DescribeTaskDefinition', () =>
        this.clients.ecs.send('DescribeTaskDefinition', {
          taskDefinition: this.ecs.taskDefinition,
        }),
      );
      this.baseFamily = answer.taskDefinition?.family ?? '';
    }
    return reviewFamilyOf(this.baseFamily, this.ecs.family);
  }
}

const millis = (date: Date | undefined) => (date ? date.getTime() : undefined);

function toTaskInfo(task: Task): TaskInfo {
  const eni = task.attachments?.find((a) => a.type === 'ElasticNetworkInterface');
  const detail = (name: string) => eni?.details?.find((d) => d.name === name)?.value;
  const info: TaskInfo = {
    arn: task.taskArn ?? '',
    lastStatus: task.lastStatus ?? 'UNKNOWN',
    desiredStatus: task.desiredStatus ?? 'UNKNOWN',
    containers: (task.containers ?? []).map((c) => ({
      name: c.name ?? '',
      ...(c.image ? { image: c.image } : {}),
      ...(c.memory ? { memory: c.memory } : {}),
      ...(c.lastStatus ? { lastStatus: c.lastStatus } : {}),
      ...(c.exitCode !== undefined ? { exitCode: c.exitCode } : {}),
      ...(c.reason ? { reason: c.reason } : {}),
    })),
    tags: Object.fromEntries((task.tags ?? []).map((t) => [t.key ?? '', t.value ?? ''])),
  };
  const optional: Partial<TaskInfo> = {
    startedBy: task.startedBy,
    stopCode: task.stopCode,
    stoppedReason: task.stoppedReason,
    taskDefinitionArn: task.taskDefinitionArn,
    cpu: task.cpu,
    memory: task.memory,
    capacityProvider: task.capacityProviderName ?? task.launchType,
    createdAt: millis(task.createdAt),
    startedAt: millis(task.startedAt),
    stoppedAt: millis(task.stoppedAt),
    networkInterfaceId: detail('networkInterfaceId'),
    privateIp: detail('privateIPv4Address'),
  };
  for (const [key, value] of Object.entries(optional)) {
    if (value !== undefined) (info as unknown as Record<string, unknown>)[key] = value;
  }
  return info;
}
