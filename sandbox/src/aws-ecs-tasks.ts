import { randomBytes, randomUUID } from 'node:crypto';
import { parseLifetime } from './aws-ecs-lifetime.js';
import {
  type NetworkConfig,
  networkConfiguration,
  placement,
  runOverrides,
} from './aws-ecs-run-input.js';
import { type EcsTag, MAX_TAGS, mergeTags, validateTags } from './aws-ecs-tags.js';
import { TaskLifecycle } from './aws-ecs-task-lifecycle.js';
import { renderTask } from './aws-ecs-task-render.js';
import type {
  Cluster,
  ContainerState,
  ImageFacts,
  LaunchBehaviour,
  RunTaskFailure,
  TaskNetwork,
  TaskState,
  TaskStatus,
} from './aws-ecs-task-types.js';
import type { TaskDefinitionRecord, TaskDefinitionStore } from './aws-ecs-taskdefs.js';
import {
  AwsError,
  decodeToken,
  encodeToken,
  invalidParameter,
  type JsonObject,
  optionalNumber,
  optionalString,
  optionalStringList,
  pageSize,
} from './aws-shared.js';

export type {
  Cluster,
  ImageFacts,
  LaunchBehaviour,
  RunTaskFailure,
  TaskNetwork,
  TaskState,
  TaskStatus,
} from './aws-ecs-task-types.js';

/**
 * ECS tasks: RunTask, DescribeTasks, ListTasks and StopTask; how a task moves
 * along (`TaskLifecycle`) is in aws-ecs-task-lifecycle.ts.
 */

const FARGATE_PROVIDERS = ['FARGATE', 'FARGATE_SPOT'];
const PUBLIC_POOLS = ['203.0.113', '198.51.100', '192.0.2'];
const FORGET_STOPPED_AFTER_MS = 60 * 60_000;

export class TaskStore extends TaskLifecycle {
  readonly clusters = new Map<string, Cluster>();
  private readonly list: TaskState[] = [];
  private readonly byArn = new Map<string, TaskState>();
  private readonly tokens = new Map<string, TaskState[]>();
  private nextBehaviour: LaunchBehaviour | undefined;
  private nextFailures: RunTaskFailure[] | undefined;
  private addressCount = 0;
  private readonly images: { reference: string; facts: ImageFacts }[] = [];

  constructor(
    private readonly region: string,
    private readonly accountId: string,
    now: () => number,
    private readonly definitions: TaskDefinitionStore,
    startupMs = 0,
  ) {
    super(now, startupMs);
  }

  /** A cluster as the console creates it for Fargate: both Fargate providers attached. */
  addCluster(name: string, capacityProviders: string[] = FARGATE_PROVIDERS): Cluster {
    const cluster: Cluster = {
      name,
      arn: `arn:aws:ecs:${this.region}:${this.accountId}:cluster/${name}`,
      capacityProviders: [...capacityProviders],
      tags: [],
    };
    this.clusters.set(name, cluster);
    return cluster;
  }

  /** The ARN ECS names a cluster by, also one that does not exist (DescribeClusters failures). */
  clusterArn(reference: string): string {
    return reference.startsWith('arn:')
      ? reference
      : `arn:aws:ecs:${this.region}:${this.accountId}:cluster/${reference}`;
  }

  cluster(reference: string | undefined): Cluster {
    const name = (reference ?? 'default').replace(/^arn:aws[\w-]*:ecs:[^:]+:\d+:cluster\//, '');
    const found = this.clusters.get(name);
    if (!found) throw new AwsError('ClusterNotFoundException', 'Cluster not found.');
    return found;
  }

  all(): TaskState[] {
    this.expireLifetimes();
    return [...this.list];
  }

  get(arn: string): TaskState | undefined {
    this.expireLifetimes();
    return this.byArn.get(arn);
  }

  /** The task as the API sees it: undefined once ECS has forgotten it. */
  visible(arn: string): TaskState | undefined {
    const task = this.get(arn);
    return task && !this.forgotten(task) ? task : undefined;
  }

  /** What the stand-in should know about an image (all tags of a repository, or one reference). */
  describeImage(reference: string, facts: ImageFacts): void {
    this.images.unshift({ reference, facts });
  }

  private imageFacts(image: string): ImageFacts {
    return (
      this.images.find(
        ({ reference }) =>
          image === reference ||
          image.startsWith(`${reference}:`) ||
          image.startsWith(`${reference}@`),
      )?.facts ?? {}
    );
  }

  setLaunchBehaviour(behaviour: LaunchBehaviour): void {
    this.nextBehaviour = behaviour;
  }

  failNextRunTask(failures: RunTaskFailure[]): void {
    this.nextFailures = failures;
  }

  // --- RunTask ------------------------------------------------------------

  run(input: JsonObject): { tasks: JsonObject[]; failures: RunTaskFailure[] } {
    const clientToken = optionalString(input, 'clientToken');
    if (clientToken !== undefined && (clientToken.length < 1 || clientToken.length > 64)) {
      throw invalidParameter('clientToken must be between 1 and 64 characters.');
    }
    const cluster = this.cluster(optionalString(input, 'cluster'));
    const previous = clientToken === undefined ? undefined : this.tokens.get(clientToken);
    if (previous) return { tasks: previous.map((t) => this.render(t, true)), failures: [] };

    const reference = optionalString(input, 'taskDefinition');
    if (!reference) throw invalidParameter('taskDefinition must be specified.');
    const definition = this.definitions.resolve(reference);
    if (!definition) throw invalidParameter('TaskDefinition not found.');
    if (definition.status !== 'ACTIVE') throw invalidParameter('TaskDefinition is inactive');

    const where = placement(input, cluster, definition);
    const network = networkConfiguration(input, definition);
    const startedBy = optionalString(input, 'startedBy');
    if (startedBy !== undefined && !/^[A-Za-z0-9_/-]{1,128}$/.test(startedBy)) {
      throw invalidParameter(
        'startedBy must be up to 128 letters (uppercase and lowercase), numbers, hyphens, underscores and forward slashes.',
      );
    }
    const group = optionalString(input, 'group') ?? `family:${definition.family}`;
    if (group.length > 255) throw invalidParameter('group must be at most 255 characters.');
    const count = optionalNumber(input, 'count') ?? 1;
    if (!Number.isInteger(count) || count < 1 || count > 10) {
      throw invalidParameter('count must be between 1 and 10.');
    }
    let tags = validateTags(input.tags);
    const propagate = optionalString(input, 'propagateTags');
    if (propagate === 'TASK_DEFINITION') tags = mergeTags(definition.tags, tags);
    if (tags.length > MAX_TAGS) throw invalidParameter('Too many tags.');
    if (input.enableECSManagedTags === true) {
      tags = mergeTags(tags, [{ key: 'aws:ecs:clusterName', value: cluster.name }]);
    }
    const overrides = runOverrides(input.overrides, definition);

    if (this.nextFailures) {
      const failures = this.nextFailures;
      this.nextFailures = undefined;
      this.nextBehaviour = undefined;
      return { tasks: [], failures };
    }

    const behaviour = this.nextBehaviour ?? 'run';
    this.nextBehaviour = undefined;
    const started: TaskState[] = [];
    for (let i = 0; i < count; i += 1) {
      const task = this.create({
        cluster,
        definition,
        placement: where,
        network,
        startedBy,
        group,
        tags,
        overrides,
        behaviour,
      });
      started.push(task);
    }
    if (clientToken !== undefined) this.tokens.set(clientToken, started);
    return { tasks: started.map((t) => this.render(t, true)), failures: [] };
  }

  private create(options: {
    cluster: Cluster;
    definition: TaskDefinitionRecord;
    placement: { launchType: string; capacityProviderName?: string };
    network: NetworkConfig | undefined;
    startedBy: string | undefined;
    group: string;
    tags: EcsTag[];
    overrides: JsonObject;
    behaviour: LaunchBehaviour;
  }): TaskState {
    const { cluster, definition, network, overrides } = options;
    const id = randomBytes(16).toString('hex');
    const arn = `arn:aws:ecs:${this.region}:${this.accountId}:task/${cluster.name}/${id}`;
    const containerOverrides = (overrides.containerOverrides as JsonObject[]) ?? [];
    const containers = definition.containers.map((c): ContainerState => {
      const override = containerOverrides.find((o) => o.name === c.name);
      const command = (override?.command as string[] | undefined) ?? c.command ?? [];
      // ECS `command` is Docker's CMD: without an entryPoint in the definition, the image's
      // own ENTRYPOINT runs and gets the command as its arguments (FACTS.md).
      const facts = this.imageFacts(c.image);
      const entryPoint = c.entryPoint ?? facts.entryPoint ?? [];
      const lifetime = parseLifetime(
        [...entryPoint, ...command],
        facts.timeout === 'busybox' ? 143 : 124,
      );
      return {
        name: c.name,
        image: c.image,
        essential: c.essential,
        containerArn: `arn:aws:ecs:${this.region}:${this.accountId}:container/${cluster.name}/${id}/${randomUUID()}`,
        cpu: String(c.cpu ?? 0),
        ...(typeof c.memory === 'number' ? { memory: String(c.memory) } : {}),
        lastStatus: 'PENDING',
        ...(lifetime ? { lifetime } : {}),
      };
    });
    const task: TaskState = {
      arn,
      id,
      cluster,
      definition,
      lastStatus: 'PROVISIONING',
      desiredStatus: 'RUNNING',
      ...options.placement,
      cpu: (overrides.cpu as string | undefined) ?? (definition.body.cpu as string | undefined),
      memory:
        (overrides.memory as string | undefined) ?? (definition.body.memory as string | undefined),
      ...(options.startedBy !== undefined ? { startedBy: options.startedBy } : {}),
      group: options.group,
      tags: options.tags,
      overrides: {
        ...overrides,
        containerOverrides: definition.containers.map((c) => ({
          name: c.name,
          ...containerOverrides.find((o) => o.name === c.name),
        })),
        inferenceAcceleratorOverrides: [],
      },
      containers,
      behaviour: options.behaviour,
      version: 1,
      at: { createdAt: this.now() },
    };
    if (network) task.network = this.allocateNetwork(network);
    this.list.push(task);
    this.byArn.set(arn, task);
    return task;
  }

  private allocateNetwork(config: {
    subnets: string[];
    securityGroups: string[];
    assignPublicIp: string;
  }): TaskNetwork {
    const n = this.addressCount++;
    const subnetId = config.subnets[n % config.subnets.length] ?? '';
    const third = Math.floor(n / 250) % 256;
    const fourth = (n % 250) + 4;
    const privateIpAddress = `10.0.${third}.${fourth}`;
    const pool = PUBLIC_POOLS[Math.floor(n / 254) % PUBLIC_POOLS.length];
    const zoneIndex = [...subnetId].reduce((sum, ch) => sum + ch.charCodeAt(0), 0) % 3;
    const hex = randomBytes(9).toString('hex');
    return {
      attachmentId: randomUUID(),
      status: 'PRECREATED',
      subnetId,
      networkInterfaceId: `eni-${hex.slice(0, 17)}`,
      macAddress: `0e:${hex.slice(0, 10).replace(/(..)(?!$)/g, '$1:')}`,
      privateIpAddress,
      privateDnsName: `ip-10-0-${third}-${fourth}.ec2.internal`,
      ...(config.assignPublicIp === 'ENABLED' ? { publicIp: `${pool}.${(n % 254) + 1}` } : {}),
      securityGroups: config.securityGroups,
      availabilityZone: `${this.region}${'abc'[zoneIndex]}`,
      vpcId: 'vpc-0a1b2c3d4e5f60718',
    };
  }

  /**
   * Containers that end by themselves (`sleep N`, `timeout N ...`) exit once `now()` has passed,
   * and stopping tasks end by the stop timeout.
   */
  expireLifetimes(): void {
    const now = this.now();
    for (const task of this.list) {
      this.settleStop(task);
      if (task.lastStatus !== 'RUNNING' || task.at.startedAt === undefined) continue;
      const startedAt = task.at.startedAt;
      const due = task.containers
        .filter((c) => c.lastStatus === 'RUNNING' && c.lifetime)
        .map((c) => ({ c, at: startedAt + (c.lifetime?.seconds ?? 0) * 1000 }))
        .filter((d) => d.at <= now)
        .sort((a, b) => a.at - b.at);
      for (const { c, at } of due) {
        if ((task.lastStatus as TaskStatus) === 'STOPPED') break;
        this.exitContainer(task, c.name, c.lifetime?.exitCode ?? 0, undefined, at);
      }
    }
  }

  // --- Describe / List / Stop --------------------------------------------

  find(cluster: Cluster, reference: string): TaskState | undefined {
    const arn = reference.startsWith('arn:')
      ? reference
      : `arn:aws:ecs:${this.region}:${this.accountId}:task/${cluster.name}/${reference}`;
    const task = this.byArn.get(arn);
    return task?.cluster === cluster && !this.forgotten(task) ? task : undefined;
  }

  /**
   * ECS keeps a stopped task visible for about an hour ("stopped tasks appear in the returned
   * results for at least one hour", ListTasks reference); after that DescribeTasks answers it
   * in `failures` as MISSING and ListTasks no longer lists it (FACTS.md).
   */
  private forgotten(task: TaskState): boolean {
    const stoppedAt = task.at.stoppedAt;
    return stoppedAt !== undefined && this.now() - stoppedAt >= FORGET_STOPPED_AFTER_MS;
  }

  describe(input: JsonObject): JsonObject {
    const cluster = this.cluster(optionalString(input, 'cluster'));
    const references = optionalStringList(input, 'tasks') ?? [];
    if (references.length === 0) throw invalidParameter('Tasks cannot be empty.');
    if (references.length > 100) throw invalidParameter('Tasks cannot be longer than 100.');
    const withTags = (optionalStringList(input, 'include') ?? []).includes('TAGS');
    const tasks: JsonObject[] = [];
    const failures: RunTaskFailure[] = [];
    const seen = new Set<TaskState>();
    for (const reference of references) {
      const task = this.find(cluster, reference);
      if (!task) {
        failures.push({ arn: reference, reason: 'MISSING' });
        continue;
      }
      if (seen.has(task)) continue;
      seen.add(task);
      this.advance(task);
      tasks.push(this.render(task, withTags));
    }
    return { tasks, failures };
  }

  listArns(input: JsonObject): JsonObject {
    const cluster = this.cluster(optionalString(input, 'cluster'));
    const startedBy = optionalString(input, 'startedBy');
    const family = optionalString(input, 'family');
    const serviceName = optionalString(input, 'serviceName');
    const containerInstance = optionalString(input, 'containerInstance');
    const launchType = optionalString(input, 'launchType');
    const askedStatus = optionalString(input, 'desiredStatus');
    const desiredStatus = askedStatus ?? 'RUNNING';
    if (!['RUNNING', 'PENDING', 'STOPPED'].includes(desiredStatus)) {
      throw invalidParameter(`Invalid desiredStatus: ${desiredStatus}.`);
    }
    // The API reference: "When you specify startedBy as the filter, it must be the only filter
    // that you use." ECS answers this exact message when it is combined with family or
    // launchType (aws/aws-sdk-go-v2 issue 1893); nothing documents desiredStatus beside it,
    // so the stand-in refuses that too rather than let the bot rely on it.
    if (
      startedBy !== undefined &&
      (family || serviceName || containerInstance || launchType || askedStatus)
    ) {
      throw invalidParameter('cannot specify startedBy with other arguments');
    }
    const size = pageSize(optionalNumber(input, 'maxResults'));
    const scope = ['tasks', cluster.name, startedBy, family, serviceName, launchType, desiredStatus]
      .map((part) => part ?? '')
      .join('|');
    const offset = decodeToken(optionalString(input, 'nextToken'), scope);
    const matching = this.list.filter(
      (t) =>
        t.cluster === cluster &&
        !this.forgotten(t) &&
        t.desiredStatus === desiredStatus &&
        (startedBy === undefined || t.startedBy === startedBy) &&
        (family === undefined || t.definition.family === family) &&
        serviceName === undefined &&
        containerInstance === undefined &&
        (launchType === undefined || t.launchType === launchType),
    );
    const taskArns = matching.slice(offset, offset + size).map((t) => t.arn);
    const next = offset + size < matching.length ? encodeToken(offset + size, scope) : undefined;
    return { taskArns, ...(next ? { nextToken: next } : {}) };
  }

  stopTask(input: JsonObject): JsonObject {
    const cluster = this.cluster(optionalString(input, 'cluster'));
    const reference = optionalString(input, 'task');
    if (!reference) throw invalidParameter('task must be specified.');
    const reason = optionalString(input, 'reason');
    if (reason !== undefined && reason.length > 255) {
      throw invalidParameter('Reason must be at most 255 characters.');
    }
    const task = this.find(cluster, reference);
    if (!task) throw invalidParameter('The referenced task was not found.');
    this.stop(task, 'UserInitiated', reason ?? 'Task stopped by user');
    return { task: this.render(task, false) };
  }

  render(task: TaskState, withTags: boolean): JsonObject {
    return renderTask(task, this.region, withTags);
  }
}
