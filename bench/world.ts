import { type ChildProcess, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ECSClient, RunTaskCommand } from '@aws-sdk/client-ecs';
import {
  CreateRuleCommand,
  CreateTargetGroupCommand,
  ElasticLoadBalancingV2Client,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  type AwsStandIn,
  DEMO_CLUSTER,
  DEMO_PROJECT,
  DEMO_REGISTRY_ID,
  DEMO_SECURITY_GROUP,
  DEMO_SUBNET,
  demoTaskDefinition,
  type Elbv2Quotas,
  type GitLabStandIn,
  type SeededLoadBalancer,
  type SlackStandIn,
  startAwsStandIn,
  startGitLabStandIn,
  startSlackStandIn,
} from '@review-app-bot/sandbox';
import {
  conditions,
  routeTags,
  targetGroupInput,
  targetGroupName,
} from '../src/aws/load-balancer-rules.js';
import type { LoadBalancerSettings } from '../src/aws/settings.js';
import { parseLoadBalancerSettings } from '../src/config/load-balancer.js';
import { metaToTags } from '../src/core/tags.js';

/**
 * The stand-ins on the real clock (the processes under measurement run on it
 * too), seeded like the tests' world: one project, its registry, the base
 * task definition, and open MRs with built images. With `projects`, that many
 * more (acme/p01, acme/p02, ...), each with its registry and task definition,
 * listed in a review-apps.yml that `manyEnv` names: one bot for all of them.
 */
export interface BenchWorld extends AsyncDisposable {
  gitlab: GitLabStandIn;
  aws: AwsStandIn;
  slack: SlackStandIn;
  env: Record<string, string>;
  /** Open MRs `from`..`to`, each with a successful pipeline and a pushed image. */
  addMergeRequests(from: number, to: number): void;
  /**
   * `count` running review apps started straight through ECS, as a bot would have tagged them;
   * spread over `projects` in turn (acme/shop alone by default), each app's MR open in GitLab
   * at the app's commit when `mergeRequests` is set. With `routes` (a world with a load
   * balancer), each app is behind it as the bot leaves it: its https name in the URL tag, a
   * target group holding its private IP and a host rule forwarding to it, both tagged.
   */
  seedApps(
    count: number,
    options?: {
      url?: boolean;
      projects?: BenchProject[];
      mergeRequests?: boolean;
      routes?: boolean;
    },
  ): Promise<void>;
  /** With `loadBalancer`: the shared load balancer, its listener seeded as the operator sets it up. */
  loadBalancer: SeededLoadBalancer | undefined;
  /** With `loadBalancer`: the environment of the bot serving acme/shop through it. */
  lbEnv: Record<string, string>;
  /** The projects of `projects` (empty without it). */
  projects: BenchProject[];
  /** The environment of one bot serving every project of `projects` through review-apps.yml. */
  manyEnv: Record<string, string>;
}

/** A project of the bench world: its GitLab path and id, its registry, its task definition. */
export interface BenchProject {
  path: string;
  id: number;
  registryId: number;
  family: string;
}

const SHOP: BenchProject = {
  path: DEMO_PROJECT.path,
  id: DEMO_PROJECT.id,
  registryId: DEMO_REGISTRY_ID,
  family: 'shop-web',
};
const SEEDED_SHA = 'c0ffee'.repeat(6).slice(0, 40);

let seeded = 0;
const DOMAIN = 'review.example.com';
/** The bot's default host name template, `mr-{mr}.{domain}`. */
export const hostOf = (mr: number) => `mr-${mr}.${DOMAIN}`;

/** The bot's load balancer settings as an operator who sets only the listener and domain has them. */
const DEFAULT_ROUTING = parseLoadBalancerSettings({
  LOAD_BALANCER_LISTENER_ARN:
    'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/review-apps/0123456789abcdef/0123456789abcdef',
  REVIEW_APP_DOMAIN: DOMAIN,
}).settings as LoadBalancerSettings;

/** A target group as the bot makes one (its default health checks), on the demo app's port. */
export function reviewTargetGroup(name: string, vpcId: string) {
  return targetGroupInput(name, vpcId, 3000, DEFAULT_ROUTING);
}

/** A one-off task of the demo definition, as the baselines start one. */
export function demoRunTask(assignPublicIp: 'ENABLED' | 'DISABLED') {
  return new RunTaskCommand({
    cluster: DEMO_CLUSTER,
    taskDefinition: 'shop-web',
    launchType: 'FARGATE',
    networkConfiguration: { awsvpcConfiguration: { subnets: [DEMO_SUBNET], assignPublicIp } },
  });
}

export async function startBenchWorld(
  options: {
    startupMs?: number;
    projects?: number;
    loadBalancer?: boolean;
    /** Past AWS's (see Elbv2Quotas): 1,000 apps' rules and target groups on one listener. */
    elbv2Quotas?: Partial<Elbv2Quotas>;
  } = {},
): Promise<BenchWorld> {
  const gitlab = await startGitLabStandIn();
  const aws = await startAwsStandIn({
    startupMs: options.startupMs ?? 0,
    ...(options.elbv2Quotas ? { elbv2Quotas: options.elbv2Quotas } : {}),
  });
  const loadBalancer = options.loadBalancer ? aws.addLoadBalancer() : undefined;
  const slack = await startSlackStandIn();
  gitlab.addProject({ id: DEMO_PROJECT.id, path: DEMO_PROJECT.path });
  gitlab.addRegistryRepository(DEMO_PROJECT.id, { id: DEMO_REGISTRY_ID });
  aws.addTaskDefinition(demoTaskDefinition());
  const projects: BenchProject[] = Array.from({ length: options.projects ?? 0 }, (_, i) => {
    const name = `p${String(i + 1).padStart(2, '0')}`;
    return { path: `acme/${name}`, id: 100 + i, registryId: 100 + i, family: `${name}-web` };
  });
  for (const project of projects) {
    gitlab.addProject({ id: project.id, path: project.path });
    gitlab.addRegistryRepository(project.id, { id: project.registryId });
    aws.addTaskDefinition(demoTaskDefinition(project.family, project.path.split('/')[1]));
  }
  const env: Record<string, string> = {
    GITLAB_URL: gitlab.url,
    GITLAB_TOKEN: gitlab.token,
    GITLAB_PROJECT: DEMO_PROJECT.path,
    ECS_CLUSTER: DEMO_CLUSTER,
    ECS_TASK_DEFINITION: 'shop-web',
    ECS_SUBNETS: DEMO_SUBNET,
    ECS_SECURITY_GROUPS: DEMO_SECURITY_GROUP,
    ECS_ASSIGN_PUBLIC_IP: 'true',
    AWS_ENDPOINT_URL: aws.url,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'bench-access-key',
    AWS_SECRET_ACCESS_KEY: 'bench-secret-access-key',
    SLACK_BOT_TOKEN: slack.botToken,
    SLACK_SIGNING_SECRET: slack.signingSecret,
    SLACK_API_URL: slack.apiUrl,
    PORT: '0',
    // The limits are not what is measured here.
    MAX_RUNNING_APPS: '5000',
    MAX_APPS_PER_USER: '5000',
  };
  // The file lists the projects and their own settings; everything shared stays in the environment.
  const dir = mkdtempSync(join(tmpdir(), 'review-app-bench-'));
  const file = join(dir, 'review-apps.yml');
  writeFileSync(
    file,
    `projects:\n${projects
      .map(
        (p, i) =>
          `  ${p.path}:\n    channels: [C0P${String(i + 1).padStart(2, '0')}]\n    ECS_TASK_DEFINITION: ${p.family}\n`,
      )
      .join('')}`,
  );
  const { GITLAB_PROJECT: _project, ECS_TASK_DEFINITION: _family, ...shared } = env;
  const manyEnv = { ...shared, REVIEW_APP_CONFIG: file };
  const lbEnv: Record<string, string> = loadBalancer
    ? {
        ...env,
        LOAD_BALANCER_LISTENER_ARN: loadBalancer.listenerArn,
        REVIEW_APP_DOMAIN: DOMAIN,
        // Behind the load balancer tasks need no public IP (nor EC2 to read it).
        ECS_ASSIGN_PUBLIC_IP: 'false',
        // The configuration refuses more: one target group per running app, 100 per ALB.
        MAX_RUNNING_APPS: '100',
        MAX_APPS_PER_USER: '100',
      }
    : {};
  const sdkConfig = {
    endpoint: aws.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  };
  const ecs = new ECSClient(sdkConfig);
  const elb = new ElasticLoadBalancingV2Client(sdkConfig);
  /** What the bot leaves on the load balancer for a running app (see AlbRouter.route). */
  const route = async (key: { project: string; mr: number }, taskArn: string) => {
    const lb = loadBalancer as SeededLoadBalancer;
    const ip = aws.networkInterface(taskArn)?.privateIpAddress as string;
    const made = await elb.send(
      new CreateTargetGroupCommand({
        ...reviewTargetGroup(targetGroupName(key), lb.vpcId),
        Tags: routeTags(key, { task: taskArn }),
      }),
    );
    const group = made.TargetGroups?.[0]?.TargetGroupArn as string;
    await elb.send(
      new RegisterTargetsCommand({ TargetGroupArn: group, Targets: [{ Id: ip, Port: 3000 }] }),
    );
    routed += 1;
    await elb.send(
      new CreateRuleCommand({
        ListenerArn: lb.listenerArn,
        Priority: 20_000 + routed,
        Conditions: conditions(hostOf(key.mr), undefined),
        Actions: [{ Type: 'forward', Order: 1, TargetGroupArn: group }],
        Tags: routeTags(key, {
          part: '0',
          state: 'live',
          task: taskArn,
          routedAt: new Date().toISOString(),
        }),
      }),
    );
  };
  let routed = 0;
  return {
    gitlab,
    aws,
    slack,
    env,
    projects,
    manyEnv,
    loadBalancer,
    lbEnv,
    addMergeRequests(from, to) {
      for (let iid = from; iid <= to; iid++) {
        const sha = `${iid.toString(16).padStart(8, '0')}${'cd'.repeat(16)}`;
        const pipeline = gitlab.addPipeline(DEMO_PROJECT.id, {
          id: 5000 + iid,
          status: 'success',
          sha,
        });
        gitlab.addMergeRequest(DEMO_PROJECT.id, {
          iid,
          title: `Feature number ${iid}`,
          source_branch: `feature/${iid}`,
          sha,
          state: 'opened',
          head_pipeline: { id: pipeline.id, status: pipeline.status },
          author: { username: 'dev', name: 'Dev Eloper' },
        });
        gitlab.addRegistryTag(DEMO_PROJECT.id, DEMO_REGISTRY_ID, sha);
      }
    },
    async seedApps(count, seedOptions = {}) {
      const now = Date.now();
      const over = seedOptions.projects ?? [SHOP];
      const one = async () => {
        seeded += 1;
        const mr = 100_000 + seeded;
        const project = over[seeded % over.length] as BenchProject;
        if (seedOptions.mergeRequests) {
          gitlab.addMergeRequest(project.id, {
            iid: mr,
            title: `Seeded feature ${mr}`,
            source_branch: `feature/seeded-${mr}`,
            sha: SEEDED_SHA,
            state: 'opened',
            author: { username: 'dev', name: 'Dev Eloper' },
          });
        }
        const answer = await ecs.send(
          new RunTaskCommand({
            cluster: DEMO_CLUSTER,
            taskDefinition: project.family,
            launchType: 'FARGATE',
            startedBy: 'review-app-bot',
            clientToken: randomUUID(),
            networkConfiguration: {
              awsvpcConfiguration: { subnets: [DEMO_SUBNET], assignPublicIp: 'ENABLED' },
            },
            tags: metaToTags({
              project: project.path,
              mr,
              title: `Seeded feature ${mr} with a title of ordinary length`,
              branch: `feature/seeded-${mr}`,
              sha: SEEDED_SHA,
              image: `registry.example.test/${project.path}:c0ffee${mr}`,
              requester: 'U_SEEDED',
              source: 'slack',
              channel: 'C_REVIEWS',
              thread: `1700000000.${mr}`,
              statusTs: `1700000001.${mr}`,
              launchedAt: now,
              softDeadline: now + 30 * 60_000,
              hardDeadline: now + 120 * 60_000,
              ...(seedOptions.url === false
                ? {}
                : {
                    url: seedOptions.routes
                      ? `https://${hostOf(mr)}/`
                      : `http://10.0.${mr % 200}.7:3000`,
                  }),
            }),
          }),
        );
        const arn = answer.tasks?.[0]?.taskArn;
        if (arn) aws.runTaskNow(arn);
        if (arn && seedOptions.routes) await route({ project: project.path, mr }, arn);
      };
      for (let i = 0; i < count; i += 20) {
        await Promise.all(Array.from({ length: Math.min(20, count - i) }, one));
      }
    },
    async [Symbol.asyncDispose]() {
      ecs.destroy();
      elb.destroy();
      rmSync(dir, { recursive: true, force: true });
      await Promise.all([gitlab.close(), aws.close(), slack.close()]);
    },
  };
}

/** `ENV NODE_OPTIONS="..."` of the Dockerfile, read from it so that the two never differ. */
function imageNodeOptions(): string {
  const dockerfile = readFileSync(new URL('../Dockerfile', import.meta.url), 'utf8');
  return /^ENV NODE_OPTIONS="([^"]*)"/m.exec(dockerfile)?.[1] ?? '';
}

/** A process under measurement (bench/child.mjs) and the requests it answers. */
export interface Child {
  kind: 'bot' | 'bare';
  port: number;
  url: string;
  /** Fork to ready (listening, Slack token checked). */
  startupMs: number;
  request<T = Record<string, number>>(message: Record<string, unknown>): Promise<T>;
  exit(): Promise<void>;
}

export async function startChild(
  kind: 'bot' | 'bare',
  env: Record<string, string>,
): Promise<Child> {
  // BENCH_NODE_FLAGS (e.g. --trace-gc) for looking into a figure; its output is shown.
  const flags = (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean);
  // The bot runs with the Node options its image sets; the bare app as anyone runs Bolt.
  const nodeOptions = kind === 'bot' ? { NODE_OPTIONS: imageNodeOptions() } : {};
  const started = performance.now();
  const child: ChildProcess = fork(new URL('./child.mjs', import.meta.url), [kind], {
    env: { ...process.env, ...env, ...nodeOptions, NODE_ENV: 'production' },
    stdio: ['ignore', flags.length > 0 ? 'inherit' : 'ignore', 'inherit', 'ipc'],
    // Heap in use is read after a full collection: garbage not yet collected is not held.
    execArgv: ['--expose-gc', ...flags],
  });
  const pending = new Map<number, { resolve: (v: never) => void; reject: (e: Error) => void }>();
  let next = 0;
  const ready = new Promise<{ port: number }>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${kind} process exited with ${code}`)));
    child.on(
      'message',
      (message: { type?: string; id?: number; error?: string; port?: number }) => {
        if (message.type === 'ready') return resolve({ port: message.port as number });
        const waiter = pending.get(message.id as number);
        if (!waiter) return;
        pending.delete(message.id as number);
        if (message.error) waiter.reject(new Error(message.error));
        else waiter.resolve(message as never);
      },
    );
  });
  const { port } = await ready;
  const startupMs = performance.now() - started;
  return {
    kind,
    port,
    url: `http://127.0.0.1:${port}/slack/events`,
    startupMs,
    request(message) {
      next += 1;
      const id = next;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: never) => void, reject });
        child.send({ ...message, id });
      });
    },
    async exit() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.send({ type: 'exit', id: 0 });
      await exited;
    },
  };
}
