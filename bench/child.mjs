// One process under measurement, driven by bench/run.ts over IPC: the bot as
// built (`dist/`, as the Docker image runs it) or a bare Bolt app on the same
// HTTP receiver. Plain JavaScript, so that neither pays for a TypeScript loader.
import { monitorEventLoopDelay } from 'node:perf_hooks';

const mode = process.argv[2];
const env = process.env;
// The longest time the event loop could not run a 1 ms timer: the longest synchronous stretch.
const loopDelay = monitorEventLoopDelay({ resolution: 1 });
loopDelay.enable();

let port;
let watcher;
if (mode === 'bot') {
  const { startBot } = await import('../dist/bot.js');
  const bot = await startBot({ env, manualWatch: true, writeLog: () => {} });
  port = bot.port;
  watcher = bot.watcher;
} else {
  const { App, HTTPReceiver } = await import('@slack/bolt');
  const receiver = new HTTPReceiver({
    signingSecret: env.SLACK_SIGNING_SECRET,
    endpoints: '/slack/events',
    customRoutes: [
      { path: '/healthz', method: ['GET'], handler: (_req, res) => res.end('{"ok":true}') },
    ],
  });
  const app = new App({
    token: env.SLACK_BOT_TOKEN,
    receiver,
    clientOptions: { slackApiUrl: env.SLACK_API_URL },
  });
  app.command('/review-app', async ({ ack }) => {
    await ack();
  });
  port = (await app.start(0)).address().port;
}
process.send({ type: 'ready', port, uptimeMs: process.uptime() * 1000 });

/** The baseline for a watch round: list the bot's tasks, describe them 100 at a time, nothing else. */
let ecs;
async function plainRound(includeStopped) {
  const { ECSClient, ListTasksCommand, DescribeTasksCommand } = await import('@aws-sdk/client-ecs');
  ecs ??= new ECSClient({
    endpoint: env.AWS_ENDPOINT_URL,
    region: env.AWS_REGION,
    credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY },
  });
  const cluster = env.ECS_CLUSTER;
  const arns = new Set();
  // ECS takes startedBy only alone (running tasks); stopped ones are listed by family.
  const filters = [{ startedBy: 'review-app-bot' }];
  if (includeStopped) {
    filters.push({ family: `${env.ECS_TASK_DEFINITION}-review-app`, desiredStatus: 'STOPPED' });
  }
  for (const filter of filters) {
    let nextToken;
    do {
      const page = await ecs.send(
        new ListTasksCommand({ cluster, ...filter, maxResults: 100, nextToken }),
      );
      for (const arn of page.taskArns ?? []) arns.add(arn);
      nextToken = page.nextToken;
    } while (nextToken);
  }
  const all = [...arns];
  let described = 0;
  for (let i = 0; i < all.length; i += 100) {
    const answer = await ecs.send(
      new DescribeTasksCommand({ cluster, tasks: all.slice(i, i + 100), include: ['TAGS'] }),
    );
    described += answer.tasks?.length ?? 0;
  }
  return described;
}

// The load balancer's sweep for leftovers, timed on its own inside the round that runs it.
// The watcher runs it once per ROUTES_SWEEP_MS (src/watcher/watcher.ts); `bot-sweep` makes
// it due, as it is every fifth minute, by forgetting when it last ran (a private field:
// this file reaches into the built watcher for measuring only).
let sweepMs = 0;
if (watcher) {
  const sweep = watcher.sweepRoutes.bind(watcher);
  watcher.sweepRoutes = async (...args) => {
    const started = performance.now();
    try {
      return await sweep(...args);
    } finally {
      sweepMs = performance.now() - started;
    }
  };
}

const rounds = {
  bot: () => watcher.round(),
  'bot-sweep': () => {
    watcher.routesSweptAt = Number.NEGATIVE_INFINITY;
    return watcher.round();
  },
  recover: () => watcher.recover(),
  plain: () => plainRound(false),
  'plain-recover': () => plainRound(true),
};

let looping = false;
let loopDone = Promise.resolve();
let loopRounds = 0;

async function handle(message) {
  switch (message.type) {
    case 'round': {
      loopDelay.reset();
      sweepMs = 0;
      const started = performance.now();
      await rounds[message.kind]();
      const ms = performance.now() - started;
      return { ms, stretchMs: loopDelay.max / 1e6, sweepMs };
    }
    case 'watch': {
      // Rounds back to back: the worst case for everything else the process does.
      if (message.on && !looping) {
        looping = true;
        loopRounds = 0;
        loopDone = (async () => {
          while (looping) {
            await watcher.round();
            loopRounds += 1;
          }
        })();
        return {};
      }
      looping = false;
      await loopDone;
      return { rounds: loopRounds };
    }
    case 'memory': {
      const { rss, heapTotal, external } = process.memoryUsage();
      globalThis.gc?.();
      const { heapUsed } = process.memoryUsage();
      return { rss, heapTotal, external, heapUsed, maxRss: process.resourceUsage().maxRSS * 1024 };
    }
    case 'exit':
      setImmediate(() => process.exit(0));
      return {};
    default:
      throw new Error(`unknown request ${message.type}`);
  }
}

process.on('message', (message) => {
  handle(message).then(
    (result) => process.send({ id: message.id, ...result }),
    (error) => process.send({ id: message.id, error: String(error?.stack ?? error) }),
  );
});
