import { randomUUID } from 'node:crypto';
import { ACM_OPERATIONS, ACM_TARGET, type AcmCertificateSeed, AcmStore } from './aws-acm.js';
import { EC2_ACTIONS, type Ec2NetworkInterface, ec2Error, handleEc2 } from './aws-ec2.js';
import { type Ec2Ingress, Ec2Network } from './aws-ec2-network.js';
import { type AppPageRenderer, AppServers, defaultAppPage } from './aws-ecs-app-servers.js';
import { mergeTags, validateTags } from './aws-ecs-tags.js';
import { TaskDefinitionStore } from './aws-ecs-taskdefs.js';
import {
  type ImageFacts,
  type LaunchBehaviour,
  type RunTaskFailure,
  type TaskState,
  TaskStore,
} from './aws-ecs-tasks.js';
import { ELBV2_ACTIONS, handleElbv2 } from './aws-elbv2.js';
import type { UnhealthyReason } from './aws-elbv2-health.js';
import { renderAction } from './aws-elbv2-rules.js';
import {
  answerFor,
  type ListenerAnswer,
  type SeededLoadBalancer,
  seedLoadBalancer,
} from './aws-elbv2-seed.js';
import { DEFAULT_ELBV2_QUOTAS, type Elbv2Quotas, Elbv2Store } from './aws-elbv2-store.js';
import { awslogsStream, LOGS_OPERATIONS, LOGS_TARGET, LogStore } from './aws-logs.js';
import {
  AwsError,
  clientError,
  invalidParameter,
  type JsonObject,
  optionalString,
  optionalStringList,
  parseJsonBody,
} from './aws-shared.js';
import { DEMO_CLUSTER, DEMO_SECURITY_GROUP, DEMO_SUBNET } from './demo.js';
import {
  type HttpReply,
  json,
  type LoopbackServer,
  type RecordedRequest,
  startLoopbackServer,
} from './http.js';

/**
 * A loopback AWS endpoint serving ECS, CloudWatch Logs and ACM (JSON 1.1), EC2
 * and ELBv2 (query protocol) on one URL, as `AWS_ENDPOINT_URL` serves every service. Point the real SDK v3
 * clients at it (`endpoint`, a region and dummy credentials).
 *
 * Tasks move along deterministically: every DescribeTasks call that includes
 * a task advances it one step (PROVISIONING → PENDING → ACTIVATING → RUNNING).
 * Time comes only from `now()` (epoch milliseconds); containers whose command
 * is `sleep N` or `timeout N ...` exit once `now()` passes their start + N s.
 */

export type { AcmCertificateSeed, AcmStatus } from './aws-acm.js';
export type { AppPageRenderer, AppTaskView } from './aws-ecs-app-servers.js';
export type { ImageFacts, LaunchBehaviour, RunTaskFailure } from './aws-ecs-tasks.js';
export type { UnhealthyReason } from './aws-elbv2-health.js';
export type { ListenerAnswer, SeededLoadBalancer } from './aws-elbv2-seed.js';
export type { Elbv2Quotas } from './aws-elbv2-store.js';

/** Where the stand-in's resources live: ARNs carry them, nothing configures them. */
const REGION = 'us-east-1';
const ACCOUNT_ID = '123456789012';

const ECS_TARGET = 'AmazonEC2ContainerServiceV20141113.';

const ECS_OPERATIONS = new Set([
  'DescribeTaskDefinition',
  'RegisterTaskDefinition',
  'DeregisterTaskDefinition',
  'ListTaskDefinitions',
  'TagResource',
  'RunTask',
  'DescribeTasks',
  'ListTasks',
  'StopTask',
  'DescribeClusters',
]);

/** An ECS task as DescribeTasks shows it (with tags); timestamps in epoch seconds. */
export interface StandInTask extends JsonObject {
  taskArn: string;
  clusterArn: string;
  taskDefinitionArn: string;
  lastStatus: string;
  desiredStatus: string;
  group: string;
  launchType: string;
  capacityProviderName?: string;
  startedBy?: string;
  stopCode?: string;
  stoppedReason?: string;
  createdAt: number;
  startedAt?: number;
  stoppedAt?: number;
  tags: { key: string; value: string }[];
  containers: {
    name: string;
    image: string;
    lastStatus: string;
    exitCode?: number;
    reason?: string;
  }[];
  overrides: JsonObject;
}

/** A task definition as DescribeTaskDefinition shows it, plus its `tags`. */
export interface StandInTaskDefinition extends JsonObject {
  taskDefinitionArn: string;
  family: string;
  revision: number;
  status: string;
  tags: { key: string; value: string }[];
}

export interface AwsStandIn extends LoopbackServer {
  /** The region ARNs name, for AWS_REGION. */
  readonly region: string;
  /**
   * Adds an (empty) cluster; `review-apps` exists from the start. Its capacity providers
   * are FARGATE and FARGATE_SPOT unless given (a cluster made with `create-cluster` alone
   * has none; launchType FARGATE works all the same, a FARGATE_SPOT strategy does not).
   */
  addCluster(name: string, options?: { capacityProviders?: string[] }): string;
  /** What PutClusterCapacityProviders does: the cluster's providers become these. */
  setCapacityProviders(cluster: string, providers: string[]): void;
  /** A subnet EC2 knows (the demo subnet exists from the start, in the default VPC). */
  addSubnet(input: { subnetId: string; vpcId?: string; availabilityZone?: string }): void;
  /** A security group EC2 knows, with its inbound rules (the demo group admits port 3000 from itself). */
  addSecurityGroup(input: { groupId: string; vpcId?: string; ingress?: Ec2Ingress[] }): void;
  /** Seeds a task definition as a platform engineer would have registered it. */
  addTaskDefinition(input: JsonObject): StandInTaskDefinition;
  tasks(): StandInTask[];
  task(arn: string): StandInTask | undefined;
  /** The task's ENI as EC2 knows it (also before it exists in EC2 or after it is deleted). */
  networkInterface(
    arn: string,
  ): { networkInterfaceId: string; privateIpAddress: string; publicIp?: string } | undefined;
  /** Teaches the stand-in an image's ENTRYPOINT or `timeout` flavour (a repository or a reference). */
  describeImage(reference: string, facts: ImageFacts): void;
  /** Applies to the next RunTask only. */
  setLaunchBehaviour(behaviour: LaunchBehaviour): void;
  /** The next RunTask answers these failures and starts nothing. */
  failNextRunTask(failures: RunTaskFailure[]): void;
  runTaskNow(arn: string): void;
  exitContainer(arn: string, containerName: string, exitCode: number, reason?: string): void;
  /**
   * The container is killed for using more memory than it may, as Fargate reports it:
   * the task stops with EssentialContainerExited, the container has exit code 137 and the
   * reason "OutOfMemoryError: Container killed due to memory usage" (aws/amazon-ecs-agent
   * issue 1187 shows this status; FACTS.md).
   */
  runOutOfMemory(arn: string, containerName: string): void;
  /**
   * Lines a container printed, stored where its awslogs driver puts them
   * (CloudWatch Logs, read with GetLogEvents). Throws when the container does
   * not log to CloudWatch.
   */
  containerLog(arn: string, containerName: string, lines: string[]): void;
  /**
   * How much time one GetLogEvents page covers. CloudWatch cuts pages by time,
   * so a read across a quiet stretch answers empty pages whose token leads on.
   */
  splitLogPagesEvery(ms: number): void;
  stopTaskExternally(
    arn: string,
    options: { stopCode: string; stoppedReason: string; exitCode?: number },
  ): void;
  /** Recorded operation names in order (`RunTask`, `DescribeNetworkInterfaces`, ...). */
  operations(): string[];
  /**
   * The shared Application Load Balancer the operator sets up once: an HTTPS listener
   * holding an issued ACM certificate of `*.<domain>` (default `review.example.com`)
   * whose default action answers a plain 404, in the VPC of the first subnet (the demo
   * subnet). `certificate` changes that certificate (its name, status or expiry), or
   * makes it an IAM server certificate (`{ iam: name }`, which ACM does not know);
   * `moreCertificates` are the listener's other certificates (DescribeListenerCertificates).
   */
  addLoadBalancer(input?: {
    name?: string;
    domain?: string;
    subnets?: string[];
    securityGroups?: string[];
    protocol?: 'HTTP' | 'HTTPS';
    certificate?: ListenerCertificate;
    moreCertificates?: ListenerCertificate[];
    /** The listener's port (443 for HTTPS, 80 for HTTP by default). */
    port?: number;
  }): SeededLoadBalancer;
  /** What the app at `ip` (on `port`, or any) answers ALB's health checks with from now on. */
  setTargetHealth(ip: string, health: 'healthy' | UnhealthyReason, port?: number): void;
  /** What the listener answers a request for `host` (from `sourceIp`) with. */
  listenerAnswer(listenerArn: string, request: { host: string; sourceIp?: string }): ListenerAnswer;
  /** The listener's rules (not the default) and the account's target groups, with tags. */
  loadBalancing(): {
    rules: {
      arn: string;
      listenerArn: string;
      priority: number;
      conditions: unknown[];
      actions: unknown[];
      tags: Record<string, string>;
    }[];
    targetGroups: {
      arn: string;
      name: string;
      targets: { id: string; port: number }[];
      tags: Record<string, string>;
    }[];
  };
  /** Request bodies of one operation: parsed JSON for ECS, form parameters for EC2 and ELB. */
  callsTo(operation: string): JsonObject[];
  /** With `serveApps`: where a RUNNING task's app answers (`http://127.0.0.1:<port>`). */
  appUrl(arn: string): Promise<string | undefined>;
}

/** A certificate of an HTTPS listener: one ACM issued (any field changed), or one in IAM. */
export type ListenerCertificate = Partial<AcmCertificateSeed> | { iam: string };

export interface AwsStandInOptions {
  now?: () => number;
  /**
   * Serve each RUNNING task's app on its own loopback port (a page made by
   * the renderer given, or a plain one), closed when the task stops.
   */
  serveApps?: boolean | AppPageRenderer;
  /**
   * A task reaches RUNNING no sooner than this long after RunTask (by `now()`),
   * however often it is described: a start time of its own, as Fargate's
   * provisioning and image pull take, for measuring what a client adds to it.
   */
  startupMs?: number;
  /** ELBv2 quotas other than AWS's defaults (see Elbv2Quotas): for the benchmark's 1,000 apps. */
  elbv2Quotas?: Partial<Elbv2Quotas>;
}

export async function startAwsStandIn(options: AwsStandInOptions = {}): Promise<AwsStandIn> {
  const now = options.now ?? Date.now;
  const region = REGION;
  const accountId = ACCOUNT_ID;
  const definitions = new TaskDefinitionStore(region, accountId, now);
  const tasks = new TaskStore(region, accountId, now, definitions, options.startupMs ?? 0);
  const logs = new LogStore(now);
  tasks.addCluster(DEMO_CLUSTER);
  // The demo network: the subnet and security group the tests and the sandbox configure.
  const network = new Ec2Network(region, accountId);
  network.addSubnet({ subnetId: DEMO_SUBNET, availabilityZone: `${region}a` });
  // As the setup docs ask: the app port open to the load balancer's group, here the same one.
  network.addSecurityGroup({
    groupId: DEMO_SECURITY_GROUP,
    ingress: [{ protocol: 'tcp', fromPort: 3000, toPort: 3000, groups: [DEMO_SECURITY_GROUP] }],
  });
  const elbv2 = new Elbv2Store(region, accountId, now, network, {
    ...DEFAULT_ELBV2_QUOTAS,
    ...options.elbv2Quotas,
  });
  const acm = new AcmStore(region, accountId, now);
  const apps = options.serveApps
    ? new AppServers(
        typeof options.serveApps === 'function' ? options.serveApps : defaultAppPage,
        now,
        (arn) => {
          const task = tasks.get(arn);
          if (!task) return undefined;
          const shown = show(task);
          return {
            ...shown,
            ...(shown.startedAt !== undefined ? { startedAt: shown.startedAt * 1000 } : {}),
          };
        },
        (arn, lines) => {
          // The served app is the container that maps a port; it prints into CloudWatch only
          // when its task definition gives it the awslogs driver.
          const where = logStreamOf(arn, (c) => Array.isArray(c.portMappings));
          if (where) logs.write(where.group, where.stream, lines);
        },
      )
    : undefined;
  /** Apps follow their tasks after every change: a request, or a stand-in method. */
  const syncApps = () => apps?.sync(tasks.all());
  const caller = `arn:aws:sts::${accountId}:assumed-role/review-app-bot/sandbox`;

  /** A task as DescribeTasks shows it, tags included. */
  const show = (task: TaskState) => tasks.render(task, true) as StandInTask;

  const taskOrThrow = (arn: string): TaskState => {
    const task = tasks.get(arn);
    if (!task) throw new Error(`AWS stand-in: no task ${arn}`);
    return task;
  };

  const interfaces = (): Ec2NetworkInterface[] =>
    tasks
      .all()
      .filter((t) => t.network && ['ATTACHING', 'ATTACHED'].includes(t.network.status))
      .map((t) => ({ ...(t.network as NonNullable<TaskState['network']>), taskArn: t.arn }));

  const renderDefinition = (arn: string): StandInTaskDefinition => {
    const record = definitions.byArn(arn);
    if (!record) throw new Error(`AWS stand-in: no task definition ${arn}`);
    return {
      ...definitions.render(record),
      tags: record.tags.map((tag) => ({ ...tag })),
    } as StandInTaskDefinition;
  };

  /** The awslogs stream of the task's first container that `matches`, if that one logs there. */
  const logStreamOf = (arn: string, matches: (container: JsonObject) => boolean) => {
    const task = tasks.get(arn);
    if (!task) return undefined;
    const { taskDefinitionArn } = tasks.render(task, false) as StandInTask;
    const containers = renderDefinition(taskDefinitionArn).containerDefinitions as JsonObject[];
    return awslogsStream(containers.find(matches), arn.split('/').at(-1) ?? '');
  };

  /** Tags live on tasks, task definitions and clusters. */
  const taggable = (arn: string | undefined) => {
    if (!arn) throw invalidParameter('resourceArn must be specified.');
    // A task ECS has forgotten (stopped over an hour ago) is not there to tag either: its
    // behaviour is undocumented, so the stand-in refuses it, as DescribeTasks answers MISSING.
    const task = tasks.visible(arn);
    if (task) return task;
    const definition = definitions.byArn(arn);
    if (definition) return definition;
    const cluster = [...tasks.clusters.values()].find((c) => c.arn === arn);
    if (cluster) return cluster;
    if (!/^arn:aws[\w-]*:ecs:/.test(arn)) throw invalidParameter('Invalid resource ARN.');
    throw new AwsError('ResourceNotFoundException', 'The specified resource could not be found.');
  };

  const ecs: Record<string, (input: JsonObject) => JsonObject> = {
    DescribeTaskDefinition: (input) => {
      const record = definitions.resolve(optionalString(input, 'taskDefinition') ?? '');
      if (!record) throw clientError('Unable to describe task definition.');
      const withTags = (optionalStringList(input, 'include') ?? []).includes('TAGS');
      return {
        taskDefinition: definitions.render(record),
        ...(withTags ? { tags: record.tags } : {}),
      };
    },
    RegisterTaskDefinition: (input) => {
      const record = definitions.register(input, caller);
      return { taskDefinition: definitions.render(record), tags: record.tags };
    },
    DeregisterTaskDefinition: (input) => ({
      taskDefinition: definitions.render(
        definitions.deregister(optionalString(input, 'taskDefinition') ?? ''),
      ),
    }),
    ListTaskDefinitions: (input) => definitions.list(input),
    TagResource: (input) => {
      const resource = taggable(optionalString(input, 'resourceArn'));
      const changes = validateTags(input.tags);
      if (changes.length === 0) throw invalidParameter('tags must not be empty.');
      resource.tags = mergeTags(resource.tags, changes);
      return {};
    },
    RunTask: (input) => tasks.run(input) as unknown as JsonObject,
    DescribeTasks: (input) => tasks.describe(input),
    ListTasks: (input) => tasks.listArns(input),
    StopTask: (input) => tasks.stopTask(input),
    DescribeClusters: (input) => {
      const names = optionalStringList(input, 'clusters') ?? ['default'];
      const clusters: JsonObject[] = [];
      const failures: RunTaskFailure[] = [];
      for (const name of names) {
        try {
          const cluster = tasks.cluster(name);
          const mine = tasks.all().filter((t) => t.cluster === cluster);
          clusters.push({
            clusterArn: cluster.arn,
            clusterName: cluster.name,
            status: 'ACTIVE',
            registeredContainerInstancesCount: 0,
            runningTasksCount: mine.filter((t) => t.lastStatus === 'RUNNING').length,
            pendingTasksCount: mine.filter((t) =>
              ['PROVISIONING', 'PENDING', 'ACTIVATING'].includes(t.lastStatus),
            ).length,
            activeServicesCount: 0,
            capacityProviders: cluster.capacityProviders,
            defaultCapacityProviderStrategy: [],
          });
        } catch {
          // Failure.arn is "the ARN of the failed resource" (API reference, Failure), so ECS
          // names the missing cluster by its ARN, not as asked: `aws ecs describe-clusters
          // --clusters foobar` answers {"arn": "arn:aws:ecs:us-east-1:123456:cluster/foobar",
          // "reason": "MISSING"} (quoted in getmoto/moto pull request 2078).
          failures.push({ arn: tasks.clusterArn(name), reason: 'MISSING' });
        }
      }
      return { clusters, failures };
    },
  };

  const server = await startLoopbackServer({
    identify: (request) => {
      const target = request.headers['x-amz-target'];
      if (typeof target === 'string' && target.startsWith(LOGS_TARGET)) {
        const operation = target.slice(LOGS_TARGET.length);
        return LOGS_OPERATIONS.has(operation) ? operation : `UNKNOWN LOGS ${operation}`;
      }
      if (typeof target === 'string' && target.startsWith(ACM_TARGET)) {
        const operation = target.slice(ACM_TARGET.length);
        return ACM_OPERATIONS.has(operation) ? operation : `UNKNOWN ACM ${operation}`;
      }
      if (typeof target === 'string' && target.startsWith(ECS_TARGET)) {
        const operation = target.slice(ECS_TARGET.length);
        return ECS_OPERATIONS.has(operation) ? operation : `UNKNOWN ECS ${operation}`;
      }
      if (
        request.method === 'POST' &&
        isForm(request.headers['content-type']) &&
        isElbv2(request.headers.authorization)
      ) {
        const action = new URLSearchParams(request.body).get('Action') ?? '';
        return ELBV2_ACTIONS.has(action) ? action : `UNKNOWN ELBV2 ${action}`;
      }
      if (request.method === 'POST' && isForm(request.headers['content-type'])) {
        const action = new URLSearchParams(request.body).get('Action') ?? '';
        return EC2_ACTIONS.has(action) ? action : `UNKNOWN EC2 ${action}`;
      }
      return `UNKNOWN ${request.method} ${request.path}`;
    },
    handle: (request): HttpReply => {
      try {
        return handleAws(request);
      } finally {
        syncApps();
      }
    },
  });

  function handleAws(request: RecordedRequest): HttpReply {
    tasks.expireLifetimes();
    const { operation } = request;
    if (ECS_OPERATIONS.has(operation)) {
      const handler = ecs[operation] as (input: JsonObject) => JsonObject;
      return awsJson(() => handler(parseJsonBody(request.body)));
    }
    if (LOGS_OPERATIONS.has(operation) || operation.startsWith('UNKNOWN LOGS ')) {
      // CloudWatch Logs speaks JSON 1.1 too, with the same error shape as ECS.
      return awsJson(() => logs.handle(operation, parseJsonBody(request.body)));
    }
    if (ACM_OPERATIONS.has(operation) || operation.startsWith('UNKNOWN ACM ')) {
      // ACM speaks JSON 1.1 with the same error shape.
      return awsJson(() =>
        acm.handle(operation.replace(/^UNKNOWN ACM /, ''), parseJsonBody(request.body)),
      );
    }
    if (ELBV2_ACTIONS.has(operation) || operation.startsWith('UNKNOWN ELBV2 ')) {
      return handleElbv2(new URLSearchParams(request.body), elbv2);
    }
    if (EC2_ACTIONS.has(operation) || operation.startsWith('UNKNOWN EC2 ')) {
      return handleEc2(new URLSearchParams(request.body), { accountId, interfaces, network });
    }
    if (operation.startsWith('UNKNOWN ECS ')) {
      return awsJson(() => {
        throw new AwsError('UnknownOperationException', `Unsupported: ${operation}`);
      });
    }
    return ec2Error(new AwsError('InvalidAction', `Not an AWS request: ${operation}`));
  }

  const close = async () => {
    await apps?.close();
    await server.close();
  };
  const afterward =
    <A extends unknown[]>(change: (...args: A) => void) =>
    (...args: A) => {
      change(...args);
      syncApps();
    };
  return {
    ...server,
    close,
    [Symbol.asyncDispose]: close,
    appUrl: async (arn) => {
      syncApps();
      return apps?.url(arn);
    },
    region,
    addCluster: (name, clusterOptions) =>
      tasks.addCluster(name, clusterOptions?.capacityProviders).arn,
    setCapacityProviders: (name, providers) => {
      tasks.cluster(name).capacityProviders = [...providers];
    },
    addSubnet: (input) => {
      network.addSubnet(input);
    },
    addSecurityGroup: (input) => {
      network.addSecurityGroup(input);
    },
    addLoadBalancer: (input = {}) => {
      const domain = input.domain ?? 'review.example.com';
      // Only an HTTPS listener holds certificates (the sandbox's plain one has none in ACM).
      const https = (input.protocol ?? 'HTTPS') === 'HTTPS';
      const wanted = https ? [input.certificate ?? {}, ...(input.moreCertificates ?? [])] : [];
      const certificates = wanted.map((certificate) =>
        'iam' in certificate
          ? `arn:aws:iam::${accountId}:server-certificate/${certificate.iam}`
          : acm.add({ domainName: `*.${domain}`, ...certificate }),
      );
      const seeded = seedLoadBalancer(elbv2, {
        ...(input.name ? { name: input.name } : {}),
        ...(input.protocol ? { protocol: input.protocol } : {}),
        ...(input.port !== undefined ? { port: input.port } : {}),
        subnets: input.subnets ?? [DEMO_SUBNET],
        securityGroups: input.securityGroups ?? [DEMO_SECURITY_GROUP],
        certificates,
      });
      for (const arn of seeded.certificateArns) acm.usedBy(arn, seeded.loadBalancerArn);
      return seeded;
    },
    setTargetHealth: (ip, health, port) => elbv2.app.set(ip, port, health),
    listenerAnswer: (listenerArn, request) => answerFor(elbv2, listenerArn, request),
    loadBalancing: () => {
      const tagsOf = (arn: string) =>
        Object.fromEntries((elbv2.tags.get(arn) ?? []).map((t) => [t.Key, t.Value]));
      return {
        rules: [...elbv2.rules.values()].map((r) => ({
          ...r,
          actions: r.actions.map(renderAction),
          tags: tagsOf(r.arn),
        })),
        targetGroups: [...elbv2.targetGroups.values()].map((g) => {
          elbv2.settle(g);
          return {
            arn: g.arn,
            name: g.name,
            targets: g.targets.map((t) => ({ id: t.id, port: t.port })),
            tags: tagsOf(g.arn),
          };
        }),
      };
    },
    addTaskDefinition: (input) => {
      const record = definitions.register(
        structuredClone(input),
        `arn:aws:iam::${accountId}:user/platform-engineer`,
      );
      return renderDefinition(record.arn);
    },
    tasks: () => {
      const all = tasks.all();
      apps?.sync(all);
      return all.map(show);
    },
    task: (arn) => {
      const task = tasks.get(arn);
      return task ? show(task) : undefined;
    },
    networkInterface: (arn) => {
      const network = tasks.get(arn)?.network;
      if (!network) return undefined;
      const { networkInterfaceId, privateIpAddress, publicIp } = network;
      return { networkInterfaceId, privateIpAddress, ...(publicIp ? { publicIp } : {}) };
    },
    describeImage: (reference, facts) => tasks.describeImage(reference, facts),
    setLaunchBehaviour: (behaviour) => tasks.setLaunchBehaviour(behaviour),
    failNextRunTask: (failures) => tasks.failNextRunTask(failures),
    runTaskNow: afterward((arn: string) => tasks.runNow(taskOrThrow(arn))),
    exitContainer: afterward((arn: string, name: string, exitCode: number, reason?: string) =>
      tasks.exitContainer(taskOrThrow(arn), name, exitCode, reason),
    ),
    runOutOfMemory: afterward((arn: string, name: string) =>
      tasks.exitContainer(
        taskOrThrow(arn),
        name,
        137,
        'OutOfMemoryError: Container killed due to memory usage',
      ),
    ),
    stopTaskExternally: afterward(
      (arn: string, stop: { stopCode: string; stoppedReason: string; exitCode?: number }) =>
        tasks.stopExternally(taskOrThrow(arn), stop),
    ),
    containerLog: (arn, name, lines) => {
      taskOrThrow(arn);
      const where = logStreamOf(arn, (c) => c.name === name);
      if (!where) throw new Error(`AWS stand-in: container ${name} does not log to CloudWatch`);
      logs.write(where.group, where.stream, lines);
    },
    splitLogPagesEvery: (ms) => logs.splitPagesEvery(ms),
    operations: () => server.requests.map((r) => r.operation),
    callsTo: (operation) =>
      server.requests
        .filter((r) => r.operation === operation)
        .map((r) =>
          isForm(r.headers['content-type'])
            ? Object.fromEntries(new URLSearchParams(r.body))
            : parseJsonBody(r.body),
        ),
  };
}

/**
 * ELBv2 and EC2 both speak the query protocol on the one endpoint: the SigV4
 * credential scope (`Credential=<key>/<date>/<region>/elasticloadbalancing/aws4_request`)
 * names the service the request was signed for.
 */
function isElbv2(authorization: string | undefined): boolean {
  return /Credential=[^/]+\/\d{8}\/[^/]+\/elasticloadbalancing\//.test(authorization ?? '');
}

function isForm(contentType: string | undefined): boolean {
  return (contentType ?? '').startsWith('application/x-www-form-urlencoded');
}

/**
 * A JSON 1.1 answer (ECS, CloudWatch Logs) of what `answer` returns, or the
 * error it throws as these services write one: `__type` and `message`, the
 * code also in `x-amzn-errortype`.
 */
function awsJson(answer: () => JsonObject): HttpReply {
  const headers = {
    'content-type': 'application/x-amz-json-1.1',
    'x-amzn-requestid': randomUUID(),
  };
  try {
    return json(200, answer(), headers);
  } catch (error) {
    if (!(error instanceof AwsError)) throw error;
    return json(
      error.status,
      { __type: error.code, message: error.message },
      { ...headers, 'x-amzn-errortype': error.code },
    );
  }
}
