import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { type AppPageRenderer, type AwsStandIn, startAwsStandIn } from './aws.js';
import {
  DEMO_CLUSTER,
  DEMO_PROJECT,
  DEMO_REGISTRY_ID,
  DEMO_SECURITY_GROUP,
  DEMO_SUBNET,
  demoLoggingTaskDefinition,
  demoTaskDefinition,
} from './demo.js';
import { type GitLabStandIn, startGitLabStandIn } from './gitlab.js';
import { type SlackStandIn, startSlackStandIn } from './slack.js';

/** An environment, as the bot and the CLI read it. */
export type Env = Record<string, string | undefined>;

/**
 * A local sandbox: the GitLab, AWS and Slack stand-ins on loopback, seeded
 * with a demo project, so that the bot and the CLI can be tried without any
 * real account. `npm run sandbox` starts it and prints the environment that
 * points the bot and the CLI at it; tests call `startSandbox()`.
 */

export const SANDBOX_PROJECT = DEMO_PROJECT;
/** Where the sandbox's slash commands come from (the Slack stand-in's defaults). */
const USER = 'U_ALICE';
const CHANNEL = 'C_REVIEWS';

interface DemoMergeRequest {
  iid: number;
  title: string;
  branch: string;
  pipeline: 'success' | 'running';
  /** Whether CI has pushed an image for the head commit. */
  image: boolean;
}

/** Two MRs that can be launched, and one whose image is still being built. */
export const SANDBOX_MERGE_REQUESTS: readonly DemoMergeRequest[] = [
  { iid: 1, title: 'Checkout page', branch: 'feature/checkout', pipeline: 'success', image: true },
  { iid: 2, title: 'Dark mode', branch: 'feature/dark-mode', pipeline: 'success', image: true },
  {
    iid: 3,
    title: 'Search suggestions',
    branch: 'feature/search',
    pipeline: 'running',
    image: false,
  },
];

/**
 * The second project's open MRs (the playground serves it beside the first). Its
 * numbers go on from earlier, merged ones: each GitLab project counts its own.
 */
export const SANDBOX_API_MERGE_REQUESTS: readonly DemoMergeRequest[] = [
  {
    iid: 11,
    title: 'Rate limits',
    branch: 'feature/rate-limits',
    pipeline: 'success',
    image: true,
  },
  {
    iid: 12,
    title: 'Orders endpoint',
    branch: 'feature/orders',
    pipeline: 'running',
    image: false,
  },
];

export interface Sandbox extends AsyncDisposable {
  /** Everything the bot and the CLI need to talk to the stand-ins. */
  env: Env;
  gitlab: GitLabStandIn;
  aws: AwsStandIn;
  slack: SlackStandIn;
  close(): Promise<void>;
}

export interface SandboxOptions {
  /** The clock GitLab and AWS keep time by (the bot's own, when it runs faster: SANDBOX_SPEED). */
  now?: () => number;
  /** Review apps that answer on loopback (see the ECS stand-in's `serveApps`). */
  serveApps?: boolean | AppPageRenderer;
  /** Slack user and channel names by id. */
  users?: Record<string, string>;
  channels?: Record<string, string>;
  /** Channels the bot was invited to (see the Slack stand-in's `joinedChannels`). */
  joinedChannels?: string[];
}

/** Starts the three stand-ins on loopback ports and seeds the demo project. */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const now = options.now ? { now: options.now } : {};
  const gitlab = await startGitLabStandIn(now);
  const aws = await startAwsStandIn({
    ...now,
    ...(options.serveApps ? { serveApps: options.serveApps } : {}),
  });
  // Slack keeps real time even when the bot's runs faster: a trigger_id lives 3 real seconds.
  const slack = await startSlackStandIn({
    ...(options.users ? { users: options.users } : {}),
    ...(options.channels ? { channels: options.channels } : {}),
    ...(options.joinedChannels ? { joinedChannels: options.joinedChannels } : {}),
  });

  seedDemoProject(gitlab, SANDBOX_PROJECT, DEMO_REGISTRY_ID, SANDBOX_MERGE_REQUESTS);
  // Logging to CloudWatch, so that the bot's logs and crash lines have something to show.
  aws.addTaskDefinition(demoLoggingTaskDefinition(demoTaskDefinition().family));

  const env: Env = {
    GITLAB_URL: gitlab.url,
    GITLAB_TOKEN: gitlab.token,
    GITLAB_PROJECT: SANDBOX_PROJECT.path,
    ECS_CLUSTER: DEMO_CLUSTER,
    ECS_TASK_DEFINITION: demoTaskDefinition().family,
    ECS_SUBNETS: DEMO_SUBNET,
    ECS_SECURITY_GROUPS: DEMO_SECURITY_GROUP,
    ECS_ASSIGN_PUBLIC_IP: 'true',
    AWS_ENDPOINT_URL: aws.url,
    AWS_REGION: aws.region,
    // The SDK signs every request, also to a loopback endpoint: dummy credentials.
    AWS_ACCESS_KEY_ID: 'sandbox-access-key',
    AWS_SECRET_ACCESS_KEY: 'sandbox-secret-key',
    SLACK_BOT_TOKEN: slack.botToken,
    SLACK_APP_TOKEN: slack.appToken,
    SLACK_API_URL: slack.apiUrl,
  };

  const close = async () => {
    await Promise.all([gitlab.close(), aws.close(), slack.close()]);
  };
  return { env, gitlab, aws, slack, close, [Symbol.asyncDispose]: close };
}

/** A demo project in the GitLab stand-in: its registry, its MRs, their pipelines and images. */
export function seedDemoProject(
  gitlab: GitLabStandIn,
  project: { id: number; path: string },
  registryId: number,
  mergeRequests: readonly DemoMergeRequest[],
  /** Pipeline ids are the instance's, not the project's: each project's from its own hundred. */
  pipelineBase = 1000,
): void {
  gitlab.addProject(project);
  gitlab.addRegistryRepository(project.id, { id: registryId });
  for (const mr of mergeRequests) {
    const sha = sandboxSha(mr.branch);
    const pipeline = { id: pipelineBase + mr.iid, status: mr.pipeline, sha, ref: mr.branch };
    gitlab.addPipeline(project.id, pipeline);
    gitlab.addMergeRequest(project.id, {
      iid: mr.iid,
      title: mr.title,
      source_branch: mr.branch,
      sha,
      head_pipeline: pipeline,
      author: { username: 'dev', name: 'Dev Eloper' },
    });
    if (mr.image) gitlab.addRegistryTag(project.id, registryId, sha);
  }
}

/** A commit id for a demo branch (and its n-th pushed commit). */
export function sandboxSha(branch: string, push = 0): string {
  return createHash('sha1')
    .update(push === 0 ? branch : `${branch}#${push}`)
    .digest('hex');
}

/** The env as shell `export` lines. */
export function exportLines(env: Env): string {
  return Object.entries(env)
    .map(([key, value]) => `export ${key}='${String(value).replaceAll("'", `'\\''`)}'`)
    .join('\n');
}

/** The env as a dotenv file (for `node --env-file`). */
export function dotenvText(env: Env): string {
  return `${Object.entries(env)
    .map(([key, value]) => `${key}=${JSON.stringify(String(value))}`)
    .join('\n')}\n`;
}

type Block = { type?: string; elements?: Element[]; accessory?: Element };
type Element = {
  type?: string;
  action_id?: string;
  value?: string;
  url?: string;
  text?: { text?: string };
};

interface ClickTarget {
  channel: string;
  messageTs: string;
  threadTs?: string;
  actionId: string;
  value?: string;
}

/**
 * A terminal stand-in for a Slack user: slash commands go to the bot over
 * Socket Mode, and what the bot posts is printed, its buttons numbered so
 * that they can be clicked with `click <n>`.
 */
function startConsole(sandbox: Sandbox, stop: () => void): () => void {
  const { slack } = sandbox;
  const buttons = new Map<number, ClickTarget>();
  let nextButton = 1;
  const seenUpdates = new Map<string, number>();
  let seenEphemerals = 0;
  let seenViews = 0;

  const rl = createInterface({ input: process.stdin, output: process.stdout, prompt: '> ' });
  const print = (text: string) => {
    // On a terminal, clear the prompt line first so that news does not land after "> ".
    process.stdout.write(`${process.stdout.isTTY ? '\r\x1b[K' : ''}${text}\n`);
    rl.prompt(true);
  };

  const describeButtons = (blocks: unknown, target: Omit<ClickTarget, 'actionId' | 'value'>) => {
    const labels: string[] = [];
    for (const block of Array.isArray(blocks) ? (blocks as Block[]) : []) {
      const elements = [...(block.elements ?? []), ...(block.accessory ? [block.accessory] : [])];
      for (const element of elements) {
        if (element.type !== 'button' || !element.action_id) continue;
        const label = element.text?.text ?? element.action_id;
        if (element.url) {
          labels.push(`${label} → ${element.url}`);
          continue;
        }
        const id = nextButton++;
        buttons.set(id, {
          ...target,
          actionId: element.action_id,
          ...(element.value !== undefined ? { value: element.value } : {}),
        });
        labels.push(`[${id}] ${label}`);
      }
    }
    return labels.length > 0 ? `\n    buttons: ${labels.join('  ')}` : '';
  };

  const showNews = () => {
    for (const message of slack.messages()) {
      const key = `${message.channel}:${message.ts}`;
      const seen = seenUpdates.get(key);
      if (seen === message.updates || message.deleted) continue;
      seenUpdates.set(key, message.updates);
      const where = [
        `#${message.channel.replace(/^C_/, '').toLowerCase()}`,
        message.thread_ts && message.thread_ts !== message.ts ? 'thread' : undefined,
        seen === undefined ? undefined : 'updated',
      ].filter(Boolean);
      const target = {
        channel: message.channel,
        messageTs: message.ts,
        ...(message.thread_ts ? { threadTs: message.thread_ts } : {}),
      };
      print(`[${where.join(', ')}] ${message.text}${describeButtons(message.blocks, target)}`);
    }
    const ephemerals = slack.ephemerals();
    for (const ephemeral of ephemerals.slice(seenEphemerals)) {
      const target = { channel: ephemeral.channel, messageTs: ephemeral.ts };
      print(`[only you] ${ephemeral.text}${describeButtons(ephemeral.blocks, target)}`);
    }
    seenEphemerals = ephemerals.length;
    const views = slack.views();
    for (const view of views.slice(seenViews)) {
      const title = (view.title as { text?: string } | undefined)?.text ?? 'a modal';
      print(
        `[modal] "${title}" opened. The sandbox cannot fill in modals: name the MR instead, e.g. /review-app 1`,
      );
    }
    seenViews = views.length;
  };
  const timer = setInterval(showNews, 250);

  const send = async (line: string) => {
    if (slack.socket.connectionCount() === 0) {
      print('No bot is connected yet. Start it with the environment above (see the README).');
      return;
    }
    if (line.startsWith('/review-app')) {
      await slack.socket.sendSlashCommand({ text: line.slice('/review-app'.length).trim() });
      return;
    }
    const click = /^click\s+([0-9]+)$/.exec(line);
    if (!click) {
      print(`Not understood. ${CONSOLE_HELP}`);
      return;
    }
    const target = buttons.get(Number(click[1]));
    if (!target) {
      print('Unknown button. Click one of the numbers shown after "buttons:".');
      return;
    }
    await slack.socket.sendBlockAction({
      user_id: USER,
      channel_id: target.channel,
      message_ts: target.messageTs,
      ...(target.threadTs ? { thread_ts: target.threadTs } : {}),
      actions: [
        {
          action_id: target.actionId,
          ...(target.value !== undefined ? { value: target.value } : {}),
        },
      ],
    });
  };

  rl.on('line', (input) => {
    const line = input.trim();
    if (line === '') return rl.prompt();
    if (line === 'help') {
      print(CONSOLE_HELP);
      return;
    }
    if (line === 'quit' || line === 'exit') return stop();
    send(line).then(
      () => rl.prompt(),
      (error: unknown) => print(`Could not reach the bot: ${(error as Error).message}`),
    );
  });
  rl.on('SIGINT', stop);
  rl.prompt();
  return () => {
    clearInterval(timer);
    rl.close();
  };
}

const CONSOLE_HELP = `Type what a Slack user would (as ${USER} in #${CHANNEL.slice(2).toLowerCase()}):
  /review-app 1          launch !1 (also: /review-app list, /review-app stop 1, /review-app help)
  click <n>              click the button numbered n in the bot's messages
  quit                   stop the sandbox (or Ctrl-C)`;

const USAGE = `Usage: npm run sandbox [-- --write-env <path>]

Starts loopback stand-ins for GitLab, AWS (ECS and EC2) and Slack, seeded
with the project ${SANDBOX_PROJECT.path}, and prints the environment that
points the bot and the CLI at them. Runs until Ctrl-C.

  --write-env <path>  also write that environment to <path> (dotenv format)`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { 'write-env': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const sandbox = await startSandbox();
  const envFile = values['write-env'];
  if (envFile) await writeFile(envFile, dotenvText(sandbox.env));

  const mrs = SANDBOX_MERGE_REQUESTS.map(
    (mr) =>
      `  !${mr.iid} ${mr.title} (${mr.branch}): ${mr.image ? 'image pushed' : `pipeline ${mr.pipeline}, no image yet`}`,
  ).join('\n');
  const withEnv = envFile ? `--env-file=${envFile} ` : '';
  process.stdout.write(`Review App Bot sandbox: GitLab ${sandbox.gitlab.url}, AWS ${sandbox.aws.url}, Slack ${sandbox.slack.url}
Project ${SANDBOX_PROJECT.path} with open merge requests:
${mrs}

Environment for the bot and the CLI (paste into another terminal${envFile ? `, or use ${envFile}` : ''}):

${exportLines(sandbox.env)}

Then, in that terminal:
  npx tsx ${withEnv}src/cli/main.ts launch 1 --wait     the CLI
  npx tsx ${withEnv}src/main.ts                         the bot (Socket Mode); then type commands here

${CONSOLE_HELP}

`);

  let stopping = false;
  let closeConsole = () => {};
  const stop = () => {
    if (stopping) return;
    stopping = true;
    closeConsole();
    process.stdout.write('\nStopping the sandbox.\n');
    void sandbox.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  closeConsole = startConsole(sandbox, stop);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
