import { type ChildProcess, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ECSClient, RunTaskCommand } from '@aws-sdk/client-ecs';
import {
  type AwsStandIn,
  DEMO_CLUSTER,
  DEMO_PROJECT,
  DEMO_REGISTRY_ID,
  DEMO_SECURITY_GROUP,
  DEMO_SUBNET,
  demoTaskDefinition,
  type GitLabStandIn,
  type SlackStandIn,
  startAwsStandIn,
  startGitLabStandIn,
  startSlackStandIn,
} from '@review-app-bot/sandbox';
import { metaToTags } from '../src/core/tags.js';

/**
 * The stand-ins on the real clock (the processes under measurement run on it
 * too), seeded like the tests' world: one project, its registry, the base
 * task definition, and open MRs with built images.
 */
export interface BenchWorld extends AsyncDisposable {
  gitlab: GitLabStandIn;
  aws: AwsStandIn;
  slack: SlackStandIn;
  env: Record<string, string>;
  /** Open MRs `from`..`to`, each with a successful pipeline and a pushed image. */
  addMergeRequests(from: number, to: number): void;
  /** `count` running review apps started straight through ECS, as a bot would have tagged them. */
  seedApps(count: number, options?: { url?: boolean }): Promise<void>;
}

let seeded = 0;

export async function startBenchWorld(options: { startupMs?: number } = {}): Promise<BenchWorld> {
  const gitlab = await startGitLabStandIn();
  const aws = await startAwsStandIn({ startupMs: options.startupMs ?? 0 });
  const slack = await startSlackStandIn();
  gitlab.addProject({ id: DEMO_PROJECT.id, path: DEMO_PROJECT.path });
  gitlab.addRegistryRepository(DEMO_PROJECT.id, { id: DEMO_REGISTRY_ID });
  aws.addTaskDefinition(demoTaskDefinition());
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
  const ecs = new ECSClient({
    endpoint: aws.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  });
  return {
    gitlab,
    aws,
    slack,
    env,
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
      const one = async () => {
        seeded += 1;
        const mr = 100_000 + seeded;
        const answer = await ecs.send(
          new RunTaskCommand({
            cluster: DEMO_CLUSTER,
            taskDefinition: 'shop-web',
            launchType: 'FARGATE',
            startedBy: 'review-app-bot',
            clientToken: randomUUID(),
            networkConfiguration: {
              awsvpcConfiguration: { subnets: [DEMO_SUBNET], assignPublicIp: 'ENABLED' },
            },
            tags: metaToTags({
              project: DEMO_PROJECT.path,
              mr,
              title: `Seeded feature ${mr} with a title of ordinary length`,
              branch: `feature/seeded-${mr}`,
              sha: 'c0ffee'.repeat(6).slice(0, 40),
              image: `registry.example.test/acme/shop:c0ffee${mr}`,
              requester: 'U_SEEDED',
              source: 'slack',
              channel: 'C_REVIEWS',
              thread: `1700000000.${mr}`,
              statusTs: `1700000001.${mr}`,
              launchedAt: now,
              softDeadline: now + 30 * 60_000,
              hardDeadline: now + 120 * 60_000,
              ...(seedOptions.url === false ? {} : { url: `http://10.0.${mr % 200}.7:3000` }),
            }),
          }),
        );
        const arn = answer.tasks?.[0]?.taskArn;
        if (arn) aws.runTaskNow(arn);
      };
      for (let i = 0; i < count; i += 20) {
        await Promise.all(Array.from({ length: Math.min(20, count - i) }, one));
      }
    },
    async [Symbol.asyncDispose]() {
      ecs.destroy();
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
