import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import { DescribeNetworkInterfacesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DescribeTasksCommand, ECSClient, waitUntilTasksRunning } from '@aws-sdk/client-ecs';
import {
  CreateRuleCommand,
  CreateTargetGroupCommand,
  ElasticLoadBalancingV2Client,
  RegisterTargetsCommand,
  waitUntilTargetInService,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { DEMO_CLUSTER } from '@review-app-bot/sandbox';
import { median, mib, percentile, type Row, table, writeResults } from './report.js';
import {
  type BenchWorld,
  type Child,
  demoRunTask,
  hostOf,
  reviewTargetGroup,
  startBenchWorld,
  startChild,
} from './world.js';

/**
 * `npm run bench`: every figure of the bot beside a baseline measured in the
 * same run, interleaved, against the loopback stand-ins. See docs/performance.md.
 */

// Node 20 on these machines: the SDK's notice about future releases is not a finding.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const began = performance.now();
const rows: Row[] = [];
const log = (line: string) => process.stderr.write(`bench: ${line}\n`);
const GITLAB_SLOW_MS = 2_000;
const TASK_STARTUP_MS = 2_000;
const LAUNCHES = Number(process.env.BENCH_LAUNCHES ?? 300);

/** Wait until none of the stand-ins has seen a request for `idleMs` (at most `capMs`). */
async function quiet(world: BenchWorld, idleMs = 500, capMs = 30_000): Promise<void> {
  const count = () =>
    world.gitlab.requests.length + world.aws.operations().length + world.slack.requests.length;
  const until = performance.now() + capMs;
  let last = count();
  let since = performance.now();
  while (performance.now() < until) {
    await sleep(50);
    const now = count();
    if (now !== last) {
      last = now;
      since = performance.now();
    } else if (performance.now() - since >= idleMs) return;
  }
}

/**
 * Signed slash commands, all at once; how long each took to be acknowledged.
 * The Slack stand-in signs them (and issues their response URLs) by sending
 * them to a capture server first; the sender thread then replays them.
 */
async function commands(world: BenchWorld, child: Child, texts: string[]): Promise<number[]> {
  const requests: { body: string; headers: Record<string, string> }[] = [];
  for (const [i, text] of texts.entries()) {
    await world.slack.sendSlashCommand(capture.url, { text, user_id: `U_USER${i % 40}` });
    requests.push(capture.take());
  }
  return sender.send(child.url, requests);
}

const capture = await startCapture();
const sender = startSender();

/** Answers 200 and keeps what was sent, with its signature headers. */
async function startCapture() {
  const captured: { body: string; headers: Record<string, string> }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      const pick = ['content-type', 'x-slack-signature', 'x-slack-request-timestamp'];
      const headers = Object.fromEntries(pick.map((h) => [h, String(req.headers[h] ?? '')]));
      captured.push({ body, headers });
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    take: () => captured.shift() as { body: string; headers: Record<string, string> },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

function startSender() {
  const worker = new Worker(new URL('./sender.mjs', import.meta.url));
  const waiting = new Map<number, (answer: { durations?: number[]; error?: string }) => void>();
  let next = 0;
  worker.on('message', (answer: { id: number; durations?: number[]; error?: string }) =>
    waiting.get(answer.id)?.(answer),
  );
  return {
    async send(url: string, requests: unknown[]): Promise<number[]> {
      next += 1;
      const id = next;
      const answer = await new Promise<{ durations?: number[]; error?: string }>((resolve) => {
        waiting.set(id, resolve);
        worker.postMessage({ id, url, requests });
      });
      waiting.delete(id);
      if (answer.error) throw new Error(answer.error);
      return answer.durations ?? [];
    },
    close: () => worker.terminate(),
  };
}

const countBy = (names: string[]) => {
  const counts: Record<string, number> = {};
  for (const name of names) counts[name] = (counts[name] ?? 0) + 1;
  return counts;
};
const describeCalls = (counts: Record<string, number>) =>
  Object.entries(counts)
    .map(([name, n]) => `${name} ${n}`)
    .join(', ');

// --- start-up and idle memory -------------------------------------------------
async function startupAndIdle(): Promise<void> {
  await using world = await startBenchWorld();
  const startup = { bot: [] as number[], bare: [] as number[] };
  const idle = { bot: [] as number[], bare: [] as number[] };
  for (let i = 0; i < 3; i++) {
    for (const kind of ['bare', 'bot'] as const) {
      const child = await startChild(kind, world.env);
      startup[kind].push(child.startupMs);
      await sleep(1_500);
      idle[kind].push((await child.request({ type: 'memory' })).rss as number);
      await child.exit();
    }
  }
  log(`start-up ${startup.bot.map(Math.round)} vs ${startup.bare.map(Math.round)}`);
  rows.push(
    {
      figure: 'Start-up to healthy (median of 3)',
      bot: median(startup.bot),
      baseline: median(startup.bare),
      baselineName: 'bare Bolt',
      unit: 'ms',
      target: '≤ 1.5×',
    },
    {
      figure: 'Memory idle (RSS, median of 3)',
      bot: mib(median(idle.bot)),
      baseline: mib(median(idle.bare)),
      baselineName: 'bare Bolt',
      unit: 'MiB',
      target: '≤ 1.5×',
    },
  );
}

// --- acknowledgement with GitLab slow ---------------------------------------------
async function ackWithSlowGitLab(): Promise<void> {
  await using world = await startBenchWorld();
  world.addMergeRequests(1, 150);
  world.gitlab.setLatency(GITLAB_SLOW_MS);
  const bot = await startChild('bot', world.env);
  const bare = await startChild('bare', world.env);
  const acks = { bot: [] as number[], bare: [] as number[] };
  for (let batch = 0; batch < 3; batch++) {
    const texts = Array.from({ length: 50 }, (_, i) => String(batch * 50 + i + 1));
    const bareAcks = await commands(world, bare, texts);
    const botAcks = await commands(world, bot, texts);
    log(
      `ack batch ${batch + 1}: max ${Math.round(Math.max(...botAcks))} vs ${Math.round(Math.max(...bareAcks))} ms`,
    );
    acks.bare.push(...bareAcks);
    acks.bot.push(...botAcks);
    // The launches go on after the acknowledgement: let them finish before the next pair.
    await quiet(world, 500, 20_000);
  }
  await Promise.all([bot.exit(), bare.exit()]);
  for (const p of [50, 99]) {
    rows.push({
      figure: `Ack p${p}, 50 concurrent launches, GitLab at ${GITLAB_SLOW_MS / 1000} s (n=150)`,
      bot: percentile(acks.bot, p),
      baseline: percentile(acks.bare, p),
      baselineName: 'bare Bolt',
      unit: 'ms',
      ...(p === 99 ? { target: '≤ 2×' } : {}),
    });
  }
  rows.push({
    figure: 'Ack max, same',
    bot: Math.max(...acks.bot),
    baseline: Math.max(...acks.bare),
    baselineName: 'bare Bolt',
    unit: 'ms',
  });
}

// --- watch rounds, acknowledgement while watching, restart recovery ----------------
async function watching(): Promise<void> {
  await using world = await startBenchWorld();
  let bot = await startChild('bot', world.env);
  const watchStarted = Date.now();
  let total = 0;
  for (const size of [10, 100, 1000]) {
    // Apps a bot launched but never reported: the first round adopts them (address, URL tag).
    await world.seedApps(size - total, { url: false });
    total = size;
    await bot.request({ type: 'round', kind: 'bot' });
    const times = { bot: [] as number[], plain: [] as number[] };
    const stretch = { bot: [] as number[], plain: [] as number[] };
    const calls = { bot: [] as string[], plain: [] as string[] };
    for (let i = 0; i < 5; i++) {
      for (const kind of ['plain', 'bot'] as const) {
        const before = world.aws.operations().length;
        const result = await bot.request({ type: 'round', kind });
        times[kind].push(result.ms as number);
        stretch[kind].push(result.stretchMs as number);
        if (i === 0) calls[kind] = world.aws.operations().slice(before);
      }
    }
    rows.push(
      {
        figure: `Watch round, ${size} apps (median of 5)`,
        bot: median(times.bot),
        baseline: median(times.plain),
        baselineName: 'ListTasks + DescribeTasks loop',
        unit: 'ms',
        // The target is set for 1,000 apps; smaller rounds are shown for the trend.
        ...(size === 1000 ? { target: '≤ 1.3×' } : {}),
        note: `calls: ${describeCalls(countBy(calls.bot))} (loop: ${describeCalls(countBy(calls.plain))})`,
      },
      {
        // Each round's longest stretch, the median of 5: a single round's maximum also
        // catches the machine descheduling the process, which no code of ours causes.
        figure: `Longest synchronous stretch, ${size} apps (median of 5 rounds' longest)`,
        bot: median(stretch.bot),
        baseline: median(stretch.plain),
        baselineName: 'ListTasks + DescribeTasks loop',
        unit: 'ms',
        target: '≤ 20 ms',
        note: `longest of all 5 rounds: ${Math.round(Math.max(...stretch.bot))} ms (loop: ${Math.round(Math.max(...stretch.plain))} ms)`,
      },
    );
    log(`round ${size}: ${times.bot.map(Math.round)} vs ${times.plain.map(Math.round)}`);
  }

  // Commands while 1,000 apps are watched, rounds back to back.
  const bare = await startChild('bare', world.env);
  const acks = { bot: [] as number[], bare: [] as number[] };
  await bot.request({ type: 'watch', on: true });
  for (let wave = 0; wave < 8; wave++) {
    const texts = Array.from({ length: 25 }, () => 'help');
    acks.bare.push(...(await commands(world, bare, texts)));
    await sleep(100);
    acks.bot.push(...(await commands(world, bot, texts)));
    await sleep(100);
  }
  const { rounds } = await bot.request({ type: 'watch', on: false });
  const peak = await bot.request({ type: 'memory' });
  await bare.exit();
  rows.push({
    figure: `Ack p99 while 1,000 apps are watched (${rounds} rounds back to back, n=200)`,
    bot: percentile(acks.bot, 99),
    baseline: percentile(acks.bare, 99),
    baselineName: 'bare Bolt, not watching',
    unit: 'ms',
    target: '≤ 2×',
  });

  // A restart: a new process picks up 1,000 apps (stopped ones included).
  await bot.exit();
  bot = await startChild('bot', world.env);
  const recovery = { bot: [] as number[], plain: [] as number[] };
  for (let i = 0; i < 3; i++) {
    recovery.plain.push((await bot.request({ type: 'round', kind: 'plain-recover' })).ms as number);
    recovery.bot.push((await bot.request({ type: 'round', kind: 'recover' })).ms as number);
  }
  const afterRestart = await bot.request({ type: 'memory' });
  await bot.exit();
  rows.push(
    {
      figure: 'Restart recovery of 1,000 apps (median of 3)',
      bot: median(recovery.bot),
      baseline: median(recovery.plain),
      baselineName: 'same loop, RUNNING + STOPPED',
      unit: 'ms',
    },
    {
      figure: 'Peak memory with 1,000 apps watched (max RSS)',
      bot: mib(Math.max(peak.maxRss as number, afterRestart.maxRss as number)),
      unit: 'MiB',
      target: '< 150 MiB',
    },
  );

  // Every countdown update the watchers sent, adoption of 1,000 apps and a restart included.
  const updates = world.slack.requests
    .filter((r) => r.operation === 'chat.update' && r.at >= watchStarted)
    .map((r) => r.at);
  const busiest = Math.max(
    0,
    ...updates.map((t) => updates.filter((u) => u >= t && u < t + 60_000).length),
  );
  rows.push({
    figure: `chat.update in the busiest minute (${updates.length} in ${Math.round((Date.now() - watchStarted) / 1000)} s, adoption and a restart included)`,
    bot: busiest,
    baseline: 30,
    baselineName: 'budget per minute',
    unit: 'calls',
    target: '≤ budget',
  });
}

// --- many projects: one bot for 20 projects beside one bot for one ---------------
/** ECS's JSON protocol names the service in X-Amz-Target (AmazonEC2ContainerServiceV20141113.ListTasks). */
const isEcs = (request: { headers: Record<string, unknown> }) =>
  String(request.headers['x-amz-target'] ?? '').startsWith('AmazonEC2ContainerService');
const PROJECTS = 20;
/**
 * GitLab is asked about the apps' MRs once per REVIEW_APP_MR_CHECK_INTERVAL (60 s by default,
 * ECS every 15 s): here 2 s, so that the rounds measured pair up, one with the check due, one without.
 */
const CHECK_EVERY = '2s';
const CHECK_EVERY_MS = 2_000;

async function manyProjects(): Promise<void> {
  await using one = await startBenchWorld();
  await using many = await startBenchWorld({ projects: PROJECTS });
  const oneEnv = { ...one.env, REVIEW_APP_MR_CHECK_INTERVAL: CHECK_EVERY };
  const manyEnv = { ...many.manyEnv, REVIEW_APP_MR_CHECK_INTERVAL: CHECK_EVERY };

  // Start-up, interleaved: the same bot, one project from the environment or 20 from the file.
  const startup = { one: [] as number[], many: [] as number[] };
  for (let i = 0; i < 5; i++) {
    for (const [kind, env] of [
      ['one', oneEnv],
      ['many', manyEnv],
    ] as const) {
      const child = await startChild('bot', env);
      startup[kind].push(child.startupMs);
      await child.exit();
    }
  }
  log(
    `start-up, ${PROJECTS} projects ${startup.many.map(Math.round)} vs one ${startup.one.map(Math.round)}`,
  );
  rows.push({
    figure: `Start-up to healthy, ${PROJECTS} projects in review-apps.yml (median of 5)`,
    bot: median(startup.many),
    baseline: median(startup.one),
    baselineName: 'one project, environment only',
    unit: 'ms',
    target: '≤ 1.1×',
  });

  const bots = { one: await startChild('bot', oneEnv), many: await startChild('bot', manyEnv) };
  const worlds = { one, many };
  let total = 0;
  for (const size of [100, 1000]) {
    await one.seedApps(size - total, { url: false, mergeRequests: true });
    await many.seedApps(size - total, {
      url: false,
      mergeRequests: true,
      projects: many.projects,
    });
    total = size;
    // The first round adopts the new apps (their addresses, the URL tag): not what is compared.
    await Promise.all([
      bots.one.request({ type: 'round', kind: 'bot' }),
      bots.many.request({ type: 'round', kind: 'bot' }),
    ]);
    const pair = () => ({ one: [] as number[], many: [] as number[] });
    const times = { plain: pair(), check: pair() };
    const ecs = pair();
    const gitlab = { plain: pair(), check: pair() };
    const calls = { one: [] as string[], many: [] as string[] };
    for (let i = 0; i < 5; i++) {
      // Longer than the MR check interval: the first round of each pair asks GitLab, the second not.
      await sleep(CHECK_EVERY_MS + 100);
      for (const round of ['check', 'plain'] as const) {
        for (const kind of ['one', 'many'] as const) {
          const world = worlds[kind];
          const aws = world.aws.requests.length;
          const lab = world.gitlab.requests.length;
          const result = await bots[kind].request({ type: 'round', kind: 'bot' });
          times[round][kind].push(result.ms as number);
          gitlab[round][kind].push(world.gitlab.requests.length - lab);
          const made = world.aws.requests.slice(aws);
          if (round === 'plain') ecs[kind].push(made.filter(isEcs).length);
          if (i === 0 && round === 'plain') calls[kind] = made.map((r) => r.operation);
        }
      }
    }
    // A round meant to skip the MR check must not have asked GitLab: else the pair was too slow.
    if ([...gitlab.plain.one, ...gitlab.plain.many].some(Boolean)) {
      log(`rounds meant to skip the MR check asked GitLab: ${JSON.stringify(gitlab.plain)}`);
    }
    for (const round of ['plain', 'check'] as const) {
      log(
        `round ${size} apps (${round}), ${PROJECTS} projects ${times[round].many.map(Math.round)} vs one ${times[round].one.map(Math.round)}`,
      );
    }
    const versus = { baselineName: `${size} apps of one project` };
    rows.push(
      {
        figure: `Watch round, ${size} apps over ${PROJECTS} projects (median of 5)`,
        bot: median(times.plain.many),
        baseline: median(times.plain.one),
        ...versus,
        unit: 'ms',
        ...(size === 1000 ? { target: '≤ 1.3×' } : {}),
        note: `AWS calls: ${describeCalls(countBy(calls.many))} (one project: ${describeCalls(countBy(calls.one))})`,
      },
      {
        figure: `… the same round when the MR check is due (median of 5)`,
        bot: median(times.check.many),
        baseline: median(times.check.one),
        ...versus,
        unit: 'ms',
        ...(size === 1000 ? { target: '≤ 1.3×' } : {}),
      },
      {
        figure: `… ECS calls per round, ${size} apps over ${PROJECTS} projects`,
        bot: median(ecs.many),
        baseline: median(ecs.one),
        ...versus,
        unit: 'calls',
        target: 'no more',
      },
      {
        figure: `… GitLab calls per MR check, ${size} apps over ${PROJECTS} projects`,
        bot: median(gitlab.check.many),
        baseline: median(gitlab.check.one),
        ...versus,
        unit: 'calls',
        target: 'one per 100 apps of each project with apps',
      },
    );
  }
  await Promise.all([bots.one.exit(), bots.many.exit()]);
}

// --- command → URL -------------------------------------------------------------------
/**
 * The baseline: RunTask, the SDK's own waiter, and the public IP, nothing else.
 * `waitMs` is the part spent in the waiter (the task starting, and the poll that sees it).
 */
async function sdkLaunch(world: BenchWorld): Promise<{ ms: number; waitMs: number }> {
  const config = {
    endpoint: world.aws.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  };
  const ecs = new ECSClient(config);
  const ec2 = new EC2Client(config);
  const started = performance.now();
  const run = await ecs.send(demoRunTask('ENABLED'));
  const arn = run.tasks?.[0]?.taskArn as string;
  const waitStarted = performance.now();
  // The bot polls from 1 s, growing to 5 s: the same bounds for the SDK's waiter.
  await waitUntilTasksRunning(
    { client: ecs, maxWaitTime: 120, minDelay: 1, maxDelay: 5 },
    { cluster: DEMO_CLUSTER, tasks: [arn] },
  );
  const waitMs = performance.now() - waitStarted;
  const described = await ecs.send(
    new DescribeTasksCommand({ cluster: DEMO_CLUSTER, tasks: [arn] }),
  );
  const eni = described.tasks?.[0]?.attachments?.[0]?.details?.find(
    (d) => d.name === 'networkInterfaceId',
  )?.value;
  await ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [eni as string] }));
  const ms = performance.now() - started;
  ecs.destroy();
  ec2.destroy();
  return { ms, waitMs };
}

/** A status update whose text gives the app's address (not a message ts that happens to hold "3000"). */
const showsUrl = (body: string) =>
  /running at http:\/\/[^ ]+:3000/.test(new URLSearchParams(body).get('text') ?? '');

/**
 * One `/review-app <mr>` from the command to the status message showing the URL,
 * split by the stand-ins' request log: the bot's own work (command → RunTask, and
 * the poll that saw RUNNING → URL shown) and the wait for the task between them.
 */
async function botLaunch(world: BenchWorld, bot: Child, mr: number) {
  const slackBefore = world.slack.requests.length;
  const awsBefore = world.aws.requests.length;
  const gitlabBefore = world.gitlab.requests.length;
  const sent = Date.now();
  await world.slack.sendSlashCommand(bot.url, { text: String(mr), user_id: 'U_ALICE' });
  const shownAt = await updateShowing(world, slackBefore, showsUrl, 60_000, `no URL for !${mr}`);
  const aws = world.aws.requests.slice(awsBefore);
  const runTask = aws.find((r) => r.operation === 'RunTask')?.at ?? sent;
  // The stand-in's task runs TASK_STARTUP_MS after RunTask: the first poll after that sees it.
  const seen =
    aws.find((r) => r.operation === 'DescribeTasks' && r.at >= runTask + TASK_STARTUP_MS)?.at ??
    shownAt;
  return {
    ms: shownAt - sent,
    ownMs: runTask - sent + (shownAt - seen),
    waitMs: seen - runTask,
    gitlabRequests: world.gitlab.requests.length - gitlabBefore,
  };
}

async function commandToUrl(): Promise<void> {
  await using world = await startBenchWorld({ startupMs: TASK_STARTUP_MS });
  world.addMergeRequests(1, 20);
  const bot = await startChild('bot', world.env);
  let mr = 0;
  for (const latency of [0, GITLAB_SLOW_MS]) {
    world.gitlab.setLatency(latency);
    const sdk: { ms: number; waitMs: number }[] = [];
    const launches: Awaited<ReturnType<typeof botLaunch>>[] = [];
    for (let i = 0; i < 5; i++) {
      sdk.push(await sdkLaunch(world));
      mr += 1;
      launches.push(await botLaunch(world, bot, mr));
      await quiet(world, 300, 5_000);
    }
    const needed = latency * 2;
    const reads = launches.map((l) => l.gitlabRequests).join(', ');
    rows.push({
      figure: `Command → URL, GitLab at ${latency / 1000} s (median of 5; GitLab requests per launch: ${reads})`,
      bot: median(launches.map((l) => l.ms)),
      baseline: median(sdk.map((l) => l.ms)) + needed,
      baselineName:
        latency === 0
          ? 'SDK waiter script'
          : `SDK waiter script + 2 sequential GitLab reads (${needed / 1000} s)`,
      unit: 'ms',
      ...(latency === 0 ? {} : { target: 'no more sequential reads than needed' }),
    });
    if (latency === 0) {
      rows.push(
        {
          figure: '… the bot’s own work: command → RunTask, RUNNING seen → URL shown (median of 5)',
          bot: median(launches.map((l) => l.ownMs)),
          baseline: median(sdk.map((l) => l.ms - l.waitMs)),
          baselineName: 'the script’s RunTask, DescribeTasks and EC2 calls',
          unit: 'ms',
          target: '< 200 ms',
        },
        {
          figure: `… waiting for the task: RunTask → the poll that sees it RUNNING (median of 5)`,
          bot: median(launches.map((l) => l.waitMs)),
          baseline: median(sdk.map((l) => l.waitMs)),
          baselineName: 'the SDK’s waiter (1 s, then 1–2 s with jitter)',
          unit: 'ms',
        },
      );
    }
  }
  rows.push({
    figure: "Stand-in's intrinsic task start (RunTask → RUNNING)",
    bot: TASK_STARTUP_MS,
    unit: 'ms',
    baselineName: 'what the task itself takes',
  });
  await bot.exit();
}

// --- the shared load balancer: command → link -----------------------------------------
/**
 * The bot's health checks (src/config/load-balancer.ts) come every 5 s, and a new target is
 * healthy after its first pass (ALB guide; the stand-in does the same).
 */
const HEALTH_CHECKS_MS = 5_000;
const sdkConfig = (world: BenchWorld) => ({
  endpoint: world.aws.url,
  region: 'us-east-1',
  credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
});

/**
 * What a launch behind the load balancer waits for, from the stand-in's request log: the
 * task (RunTask → the DescribeTasks that saw it RUNNING) and the health checks
 * (RegisterTargets → the DescribeTargetHealth that saw it healthy), each with the poll
 * that ended it. The rest, from `sent` to `done`, is the client's own work.
 */
function lbTimeline(world: BenchWorld, awsBefore: number, sent: number, done: number) {
  const aws = world.aws.requests.slice(awsBefore);
  const at = (operation: string, from = 0) =>
    aws.find((r) => r.operation === operation && r.at >= from)?.at;
  const runTask = at('RunTask') ?? sent;
  const running = at('DescribeTasks', runTask + TASK_STARTUP_MS) ?? done;
  const registered = at('RegisterTargets', running) ?? done;
  const healthy = at('DescribeTargetHealth', registered + HEALTH_CHECKS_MS) ?? done;
  const taskWaitMs = running - runTask;
  const healthWaitMs = healthy - registered;
  return {
    ms: done - sent,
    ownMs: done - sent - taskWaitMs - healthWaitMs,
    taskWaitMs,
    healthWaitMs,
    /** Polling past the moment the task ran / the checks passed. */
    lateMs: taskWaitMs - TASK_STARTUP_MS + (healthWaitMs - HEALTH_CHECKS_MS),
    healthPolls: aws.filter((r) => r.operation === 'DescribeTargetHealth' && r.at >= registered)
      .length,
    elbCalls: aws.filter((r) =>
      r.headers.authorization?.toString().includes('/elasticloadbalancing/'),
    ).length,
  };
}

/**
 * The baseline: RunTask and the SDK's waiter, then the task's private IP in a target group
 * of its own (the bot's health-check settings), a host rule forwarding to it, and the SDK's
 * `waitUntilTargetInService` (DescribeTargetHealth) until healthy. Nothing else.
 */
async function sdkLbLaunch(world: BenchWorld, n: number) {
  const lb = world.loadBalancer as NonNullable<BenchWorld['loadBalancer']>;
  const ecs = new ECSClient(sdkConfig(world));
  const elb = new ElasticLoadBalancingV2Client(sdkConfig(world));
  const awsBefore = world.aws.requests.length;
  const sent = Date.now();
  const run = await ecs.send(demoRunTask('DISABLED'));
  const arn = run.tasks?.[0]?.taskArn as string;
  await waitUntilTasksRunning(
    { client: ecs, maxWaitTime: 120, minDelay: 1, maxDelay: 5 },
    { cluster: DEMO_CLUSTER, tasks: [arn] },
  );
  const described = await ecs.send(
    new DescribeTasksCommand({ cluster: DEMO_CLUSTER, tasks: [arn] }),
  );
  const ip = described.tasks?.[0]?.attachments?.[0]?.details?.find(
    (d) => d.name === 'privateIPv4Address',
  )?.value as string;
  const made = await elb.send(
    new CreateTargetGroupCommand(reviewTargetGroup(`bench-baseline-${n}`, lb.vpcId)),
  );
  const group = made.TargetGroups?.[0]?.TargetGroupArn as string;
  const targets = [{ Id: ip, Port: 3000 }];
  await elb.send(new RegisterTargetsCommand({ TargetGroupArn: group, Targets: targets }));
  await elb.send(
    new CreateRuleCommand({
      ListenerArn: lb.listenerArn,
      Priority: 40_000 + n,
      Conditions: [
        {
          Field: 'host-header',
          HostHeaderConfig: { Values: [`baseline-${n}.review.example.com`] },
        },
      ],
      Actions: [{ Type: 'forward', TargetGroupArn: group }],
    }),
  );
  // The same bounds as the bot's polls (1 s, growing to 5 s).
  await waitUntilTargetInService(
    { client: elb, maxWaitTime: 120, minDelay: 1, maxDelay: 5 },
    { TargetGroupArn: group, Targets: targets },
  );
  const done = Date.now();
  ecs.destroy();
  elb.destroy();
  return lbTimeline(world, awsBefore, sent, done);
}

/** `/review-app <mr>` → the status message showing the app's https name. */
async function botLbLaunch(world: BenchWorld, bot: Child, mr: number) {
  const slackBefore = world.slack.requests.length;
  const awsBefore = world.aws.requests.length;
  const link = `https://${hostOf(mr)}`;
  const sent = Date.now();
  await world.slack.sendSlashCommand(bot.url, { text: String(mr), user_id: 'U_ALICE' });
  const shows = (body: string) => (new URLSearchParams(body).get('text') ?? '').includes(link);
  const shownAt = await updateShowing(world, slackBefore, shows, 90_000, `no link for !${mr}`);
  return lbTimeline(world, awsBefore, sent, shownAt);
}

/** When the first `chat.update` since request `from` whose body `shows` came (a launch's link). */
async function updateShowing(
  world: BenchWorld,
  from: number,
  shows: (body: string) => boolean,
  withinMs: number,
  failure: string,
): Promise<number> {
  const started = Date.now();
  for (;;) {
    const at = world.slack.requests
      .slice(from)
      .find((r) => r.operation === 'chat.update' && shows(r.body))?.at;
    if (at !== undefined) return at;
    if (Date.now() - started > withinMs) throw new Error(failure);
    await sleep(2);
  }
}

async function commandToLink(): Promise<void> {
  await using world = await startBenchWorld({ startupMs: TASK_STARTUP_MS, loadBalancer: true });
  world.addMergeRequests(1, 5);
  const bot = await startChild('bot', world.lbEnv);
  const sdk: Awaited<ReturnType<typeof sdkLbLaunch>>[] = [];
  const launches: Awaited<ReturnType<typeof botLbLaunch>>[] = [];
  for (let i = 1; i <= 5; i++) {
    sdk.push(await sdkLbLaunch(world, i));
    launches.push(await botLbLaunch(world, bot, i));
    await quiet(world, 300, 5_000);
    const [b, s] = [launches.at(-1), sdk.at(-1)];
    log(
      `link !${i}: ${Math.round(b?.ms ?? 0)} (own ${Math.round(b?.ownMs ?? 0)}) vs ${Math.round(s?.ms ?? 0)} (own ${Math.round(s?.ownMs ?? 0)}) ms`,
    );
  }
  await bot.exit();
  const of = (list: typeof sdk, key: keyof (typeof sdk)[number]) => median(list.map((l) => l[key]));
  const script =
    'SDK script: RunTask, both waiters, CreateTargetGroup, RegisterTargets, CreateRule';
  rows.push(
    {
      figure: 'Command → https link, load balancer (median of 5)',
      bot: of(launches, 'ms'),
      baseline: of(sdk, 'ms'),
      baselineName: script,
      unit: 'ms',
      note: `ELBv2 calls per launch: ${launches.map((l) => l.elbCalls).join(', ')} (script: ${sdk.map((l) => l.elbCalls).join(', ')})`,
    },
    {
      figure: '… the bot’s own work: everything but the two waits below (median of 5)',
      bot: of(launches, 'ownMs'),
      baseline: of(sdk, 'ownMs'),
      baselineName: 'the script’s own calls',
      unit: 'ms',
      target: '< 200 ms',
    },
    {
      figure: `… waiting for the task: RunTask → the poll that sees it RUNNING (median of 5; the task takes ${TASK_STARTUP_MS} ms)`,
      bot: of(launches, 'taskWaitMs'),
      baseline: of(sdk, 'taskWaitMs'),
      baselineName: 'the SDK’s waitUntilTasksRunning, 1–5 s',
      unit: 'ms',
    },
    {
      figure: `… waiting for the health checks: RegisterTargets → the poll that sees it healthy (median of 5; the checks take ${HEALTH_CHECKS_MS} ms)`,
      bot: of(launches, 'healthWaitMs'),
      baseline: of(sdk, 'healthWaitMs'),
      baselineName: 'the SDK’s waitUntilTargetInService, 1–5 s',
      unit: 'ms',
      note: `DescribeTargetHealth polls after RegisterTargets: ${launches.map((l) => l.healthPolls).join(', ')} (script: ${sdk.map((l) => l.healthPolls).join(', ')})`,
    },
    {
      figure: '… polling past the moment the task ran and the checks passed (median of 5)',
      bot: of(launches, 'lateMs'),
      baseline: of(sdk, 'lateMs'),
      baselineName: 'the SDK’s waiters',
      unit: 'ms',
    },
  );
}

// --- the shared load balancer: a watch round of 1,000 apps, and the sweep -------------
const isElb = (request: { headers: Record<string, unknown> }) =>
  String(request.headers.authorization ?? '').includes('/elasticloadbalancing/');

async function loadBalancerRounds(): Promise<void> {
  await using plain = await startBenchWorld();
  // 1,000 apps' rules and target groups on one listener: past what an ALB holds (100 target
  // groups, not adjustable), to show how the bot's reading of them scales.
  await using routed = await startBenchWorld({
    loadBalancer: true,
    elbv2Quotas: { rulesPerLoadBalancer: 2000, targetGroupsPerLoadBalancer: 2000 },
  });
  const bots = {
    plain: await startChild('bot', plain.env),
    routed: await startChild('bot', routed.lbEnv),
  };
  let total = 0;
  for (const size of [100, 1000]) {
    await plain.seedApps(size - total);
    await routed.seedApps(size - total, { routes: true });
    total = size;
    // The first round of each after seeding; the routed bot's very first sweeps (it has not yet).
    const before = routed.aws.requests.length;
    const first = await bots.routed.request({ type: 'round', kind: 'bot' });
    const firstElb = routed.aws.requests.slice(before).filter(isElb).length;
    await bots.plain.request({ type: 'round', kind: 'bot' });
    log(`lb ${size}: first round ${Math.round(first.ms as number)} ms, ${firstElb} ELBv2 calls`);
    const kinds = ['plain', 'routed', 'sweep'] as const;
    const times = { plain: [] as number[], routed: [] as number[], sweep: [] as number[] };
    const sweepOwn: number[] = [];
    const stretch = { routed: [] as number[], sweep: [] as number[] };
    const calls = { plain: [] as string[][], routed: [] as string[][], sweep: [] as string[][] };
    for (let i = 0; i < 5; i++) {
      for (const kind of kinds) {
        const world = kind === 'plain' ? plain : routed;
        const bot = kind === 'plain' ? bots.plain : bots.routed;
        const at = world.aws.requests.length;
        const result = await bot.request({
          type: 'round',
          kind: kind === 'sweep' ? 'bot-sweep' : 'bot',
        });
        times[kind].push(result.ms as number);
        calls[kind].push(world.aws.requests.slice(at).map((r) => r.operation));
        if (kind !== 'plain') stretch[kind].push(result.stretchMs as number);
        if (kind === 'sweep') sweepOwn.push(result.sweepMs as number);
      }
    }
    for (const kind of kinds) log(`lb ${size} round ${kind}: ${times[kind].map(Math.round)}`);
    log(`lb ${size} sweep alone: ${sweepOwn.map(Math.round)}`);
    const byAction = (list: string[][]) => describeCalls(countBy(list[0] ?? []));
    const ecs = ['ListTasks', 'DescribeTasks'];
    const others = calls.routed.map((c) => c.filter((op) => !ecs.includes(op)).length);
    const tags = calls.sweep.map((c) => c.filter((op) => op === 'DescribeTags').length);
    const state = routed.aws.loadBalancing();
    const read = state.rules.length + state.targetGroups.length;
    const versus = { baseline: median(times.plain), unit: 'ms' as const };
    rows.push(
      {
        figure: `Watch round, ${size} apps behind the load balancer, sweep not due (median of 5)`,
        bot: median(times.routed),
        ...versus,
        baselineName: `the same round, ${size} apps, no load balancer`,
        ...(size === 1000 ? { target: '≤ 1.3×' } : {}),
        note: `calls: ${byAction(calls.routed)}; other calls in each of the 5 rounds: ${others.join(', ')} (no load balancer: ${byAction(calls.plain)})`,
      },
      {
        figure: `… the round when the sweep is due, once per ROUTES_SWEEP_MS (5 min; the ${size === 100 ? '' : "bot's "}first round after start-up sweeps too) (median of 5)`,
        bot: median(times.sweep),
        ...versus,
        baselineName: 'the round without load balancer',
        note: `calls: ${byAction(calls.sweep)}; longest synchronous stretch ${median(stretch.sweep).toFixed(0)} ms (median; rounds without the sweep ${median(stretch.routed).toFixed(0)} ms)`,
      },
      {
        figure: `… the sweep alone: ${state.rules.length} rules and ${state.targetGroups.length} target groups read, none to remove (median of 5)`,
        bot: median(sweepOwn),
        ...versus,
        baselineName: 'the round without load balancer',
        note: `DescribeTags calls per sweep: ${tags.join(', ')} (at most 20 ARNs a call: ${Math.ceil(state.rules.length / 20)} + ${Math.ceil(state.targetGroups.length / 20)} for ${read} resources)`,
      },
    );
  }
  await Promise.all([bots.plain.exit(), bots.routed.exit()]);
}

// --- memory after launches -------------------------------------------------------
async function memoryAfterLaunches(): Promise<void> {
  await using world = await startBenchWorld();
  world.addMergeRequests(1, LAUNCHES);
  const bot = await startChild('bot', world.env);
  const bare = await startChild('bare', world.env);
  for (let wave = 0; wave < LAUNCHES; wave += 25) {
    const texts = Array.from({ length: Math.min(25, LAUNCHES - wave) }, (_, i) =>
      String(wave + i + 1),
    );
    await commands(world, bare, texts);
    await commands(world, bot, texts);
    // Longer than the bot's slowest poll for a starting task (1 s, then 1.5 s).
    await quiet(world, 1_600, 20_000);
  }
  const running = world.aws.tasks().filter((t) => t.lastStatus === 'RUNNING').length;
  const [botMemory, bareMemory] = await Promise.all([
    bot.request({ type: 'memory' }),
    bare.request({ type: 'memory' }),
  ]);
  await Promise.all([bot.exit(), bare.exit()]);
  rows.push(
    {
      figure: `Memory after ${LAUNCHES} launches (RSS; ${running} running)`,
      bot: mib(botMemory.rss as number),
      baseline: mib(bareMemory.rss as number),
      baselineName: `bare Bolt after ${LAUNCHES} commands`,
      unit: 'MiB',
      target: '< 150 MiB peak',
    },
    {
      figure: `Peak memory during ${LAUNCHES} launches (max RSS; heap in use after: ${mib(botMemory.heapUsed as number).toFixed(0)} MiB)`,
      bot: mib(botMemory.maxRss as number),
      baseline: mib(bareMemory.maxRss as number),
      baselineName: 'bare Bolt',
      unit: 'MiB',
      target: '< 150 MiB',
    },
  );
}

const phases: [string, () => Promise<void>][] = [
  ['start-up and idle memory', startupAndIdle],
  ['acknowledgement with GitLab slow', ackWithSlowGitLab],
  ['watch rounds, acknowledgement while watching, restart', watching],
  ['many projects: start-up and watch rounds', manyProjects],
  ['command → URL', commandToUrl],
  ['load balancer: command → link', commandToLink],
  ['load balancer: watch round of 1,000 apps and the sweep', loadBalancerRounds],
  ['memory after launches', memoryAfterLaunches],
];
const only = process.argv[2];
for (const [name, phase] of phases) {
  if (only && !name.includes(only)) continue;
  const started = performance.now();
  await phase();
  log(`${name}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
await sender.close();
await capture.close();
const duration = performance.now() - began;
console.log(table(rows));
console.log(
  `\n${(duration / 1000).toFixed(0)} s; figures written to ${writeResults(rows, duration)}`,
);
