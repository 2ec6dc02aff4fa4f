import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AppTaskView } from './aws.js';
import {
  DEMO_API_PROJECT,
  DEMO_API_REGISTRY_ID,
  DEMO_PROJECT,
  DEMO_REGISTRY_ID,
  demoApiTaskDefinition,
  demoTaskDefinition,
} from './demo.js';
import type { LoadBalancerFront } from './page-balancer.js';
import { type PageChannel, type PageUser, startPageServer } from './page-server.js';
import { decodeTag, World, type WorldProject } from './page-world.js';
import {
  type Env,
  SANDBOX_API_MERGE_REQUESTS,
  SANDBOX_MERGE_REQUESTS,
  type Sandbox,
  seedDemoProject,
  startSandbox,
} from './run.js';

/**
 * Sandbox mode of `npm start`: the stand-ins seeded with two demo projects
 * (acme/shop and acme/api, each with its task definition, registry and open
 * MRs), review apps that answer, and the page at http://localhost:3000. The
 * bot itself is started by the caller (the bot's entry point) with `env`, on
 * the same clock; `env.REVIEW_APP_CONFIG` names the review-apps.yml that
 * lists both projects, written here as an operator would write it.
 *
 * The apps open through the shared load balancer, as an operator sets it up
 * with LOAD_BALANCER_LISTENER_ARN: the page server plays it (page-balancer.ts),
 * its listener is plain HTTP on the page's own port, and the names are one
 * label under `review.localhost` (http://shop-mr-1.review.localhost:3000/),
 * which browsers send to this machine without any DNS.
 */

/** The review apps' domain: browsers resolve every `*.localhost` name to loopback. */
export const PLAYGROUND_DOMAIN = 'review.localhost';
/** Two projects on one load balancer: {project} keeps their names apart (a config rule). */
export const PLAYGROUND_HOST_TEMPLATE = '{project}-mr-{mr}.{domain}';

export const PLAYGROUND_USERS: PageUser[] = [
  { id: 'U_ALICE', name: 'alice', allowed: true },
  { id: 'U_BOB', name: 'bob', allowed: true },
  { id: 'U_EVE', name: 'eve', allowed: false },
];
/** Slack's channel ids (review-apps.yml accepts ids only): each project's own, one shared, one the bot may not use. */
export const PLAYGROUND_CHANNELS: PageChannel[] = [
  { id: 'C0SHOP', name: 'shop', allowed: true },
  { id: 'C0API', name: 'api', allowed: true },
  { id: 'C0REVIEWS', name: 'reviews', allowed: true },
  { id: 'C0RANDOM', name: 'random', allowed: false },
];

/** The two projects, and where each is the default: its own channel and the shared one. */
export const PLAYGROUND_PROJECTS: readonly (WorldProject & { taskDefinition: string })[] = [
  {
    ...DEMO_PROJECT,
    registryId: DEMO_REGISTRY_ID,
    mergeRequests: SANDBOX_MERGE_REQUESTS,
    channels: ['shop', 'reviews'],
    taskDefinition: demoTaskDefinition().family,
  },
  {
    ...DEMO_API_PROJECT,
    registryId: DEMO_API_REGISTRY_ID,
    mergeRequests: SANDBOX_API_MERGE_REQUESTS,
    channels: ['api', 'reviews'],
    taskDefinition: demoApiTaskDefinition().family,
  },
];

const channelId = (name: string) => PLAYGROUND_CHANNELS.find((c) => c.name === name)?.id ?? name;

/**
 * The sandbox's review-apps.yml: per-project settings under each project, the shared
 * ones (cluster, network, tokens) left to the environment. Tokens never go in the file.
 */
export function playgroundProjectFile(): string {
  const lines = [
    '# Written by the sandbox (npm start): the projects this bot serves. See docs/operating.md.',
    'defaults:',
    `  REVIEW_APP_HOST_TEMPLATE: '${PLAYGROUND_HOST_TEMPLATE}'`,
    'projects:',
  ];
  for (const project of PLAYGROUND_PROJECTS) {
    lines.push(
      `  ${project.path}:`,
      `    channels: [${project.channels.map(channelId).join(', ')}]`,
      `    ECS_TASK_DEFINITION: ${project.taskDefinition}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

export interface PlaygroundOptions {
  /** The page's port (0 for any free one). */
  port: number;
  /** Where the page listens; loopback by default, as the stand-ins hold demo data only. */
  host?: string;
  /** The clock shared with the bot (epoch ms). */
  now?: () => number;
  /** How much faster than real time `now` runs (shown on the page). */
  speed?: number;
}

export interface Playground extends AsyncDisposable {
  /** The page's address. */
  url: string;
  /** The environment the bot runs with: the stand-ins, the access lists, the app URLs. */
  env: Env;
  sandbox: Sandbox;
  close(): Promise<void>;
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function minutesLeft(iso: string, now: number): string {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return 'unknown';
  const minutes = Math.max(0, Math.ceil((at - now) / 60_000));
  return `${minutes} min`;
}

/** The demo app's page: what a reviewer would want to know is running. */
export function demoAppPage(task: AppTaskView, now: number): string {
  const tag = (name: string) =>
    decodeTag(task.tags.find((t) => t.key === `review-app:${name}`)?.value);
  const image = task.containers.find((c) => c.name === 'web')?.image ?? '';
  const rows: [string, string][] = [
    ['Merge request', `!${tag('mr')} ${tag('title')}`],
    ['Branch', tag('branch')],
    ['Commit', tag('commit').slice(0, 12)],
    ['Image', image],
    ['Time left', minutesLeft(tag('soft-deadline'), now)],
    ['Hard cap in', minutesLeft(tag('hard-deadline'), now)],
  ];
  const project = escapeHtml(tag('project'));
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${project} !${escapeHtml(tag('mr'))}</title>
<meta http-equiv="refresh" content="5">
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;color:#1d1c1d}
h1{font-size:1.6rem}th{text-align:left;padding-right:1.5rem;color:#616061;font-weight:500;white-space:nowrap;vertical-align:top}
td{font-family:ui-monospace,monospace;word-break:break-all}.note{color:#616061;font-size:.9rem;margin-top:2rem}</style></head>
<body><h1>${project} — review app</h1><p>This is the merge request's build, running as its own task.</p>
<table>${rows.map(([k, v]) => `<tr><th>${k}</th><td>${escapeHtml(v)}</td></tr>`).join('')}</table>
<p class="note">Served by the sandbox's ECS stand-in; it goes away when the task stops.</p></body></html>`;
}

export async function startPlayground(options: PlaygroundOptions): Promise<Playground> {
  const now = options.now ?? Date.now;
  const sandbox = await startSandbox({
    now,
    serveApps: demoAppPage,
    users: Object.fromEntries(PLAYGROUND_USERS.map((u) => [u.id, u.name])),
    channels: Object.fromEntries(PLAYGROUND_CHANNELS.map((c) => [c.id, c.name])),
    joinedChannels: PLAYGROUND_CHANNELS.filter((c) => c.allowed).map((c) => c.id),
  });
  // The first project is the sandbox's own; the second is seeded beside it.
  seedDemoProject(
    sandbox.gitlab,
    DEMO_API_PROJECT,
    DEMO_API_REGISTRY_ID,
    SANDBOX_API_MERGE_REQUESTS,
    1100,
  );
  sandbox.aws.addTaskDefinition(demoApiTaskDefinition());
  let page: Awaited<ReturnType<typeof startPageServer>>;
  let front: LoadBalancerFront | undefined;
  let dir: string | undefined;
  try {
    dir = await mkdtemp(join(tmpdir(), 'review-app-sandbox-'));
    await writeFile(join(dir, 'review-apps.yml'), playgroundProjectFile());
    page = await startPageServer({
      sandbox,
      world: new World(sandbox, PLAYGROUND_PROJECTS),
      users: PLAYGROUND_USERS,
      channels: PLAYGROUND_CHANNELS,
      now,
      speed: options.speed ?? 1,
      port: options.port,
      host: options.host ?? '127.0.0.1',
      loadBalancer: () => front,
    });
    // Set up once, as an operator does: the listener takes the page's port (known only now).
    const port = Number(new URL(page.url).port);
    const { listenerArn } = sandbox.aws.addLoadBalancer({
      domain: PLAYGROUND_DOMAIN,
      protocol: 'HTTP',
      port,
    });
    front = { domain: PLAYGROUND_DOMAIN, listenerArn, port };
  } catch (error) {
    if (dir) await rm(dir, { recursive: true, force: true });
    await sandbox.close();
    throw error;
  }
  // The projects come from the file: nothing in the environment names one.
  const { GITLAB_PROJECT: _project, ECS_TASK_DEFINITION: _definition, ...shared } = sandbox.env;
  const env: Env = {
    ...shared,
    REVIEW_APP_CONFIG: join(dir, 'review-apps.yml'),
    ALLOWED_USER_IDS: PLAYGROUND_USERS.filter((u) => u.allowed)
      .map((u) => u.id)
      .join(','),
    ALLOWED_CHANNEL_IDS: PLAYGROUND_CHANNELS.filter((c) => c.allowed)
      .map((c) => c.id)
      .join(','),
    // The names, through the load balancer the page server plays.
    LOAD_BALANCER_LISTENER_ARN: front.listenerArn,
    REVIEW_APP_DOMAIN: PLAYGROUND_DOMAIN,
    // The bot's health endpoint must not take the page's port.
    PORT: '0',
  };
  const close = async () => {
    await page.close();
    await sandbox.close();
    await rm(dir, { recursive: true, force: true });
  };
  return { url: page.url, env, sandbox, close, [Symbol.asyncDispose]: close };
}
