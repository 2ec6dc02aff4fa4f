import type { AppTaskView } from './aws.js';
import { type PageChannel, type PageUser, startPageServer } from './page-server.js';
import { World } from './page-world.js';
import { type Env, type Sandbox, startSandbox } from './run.js';

/**
 * Sandbox mode of `npm start`: the stand-ins seeded with the demo project,
 * review apps that answer, and the page at http://localhost:3000. The bot
 * itself is started by the caller (the bot's entry point) with `env`, on
 * the same clock.
 */

export const PLAYGROUND_USERS: PageUser[] = [
  { id: 'U_ALICE', name: 'alice', allowed: true },
  { id: 'U_BOB', name: 'bob', allowed: true },
  { id: 'U_EVE', name: 'eve', allowed: false },
];
export const PLAYGROUND_CHANNELS: PageChannel[] = [
  { id: 'C_REVIEWS', name: 'reviews', allowed: true },
  { id: 'C_RANDOM', name: 'random', allowed: false },
];

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

/** Tag values are quoted-printable-like (`=HH` per byte, `=.` when cut): read them back. */
function decodeTag(value: string | undefined): string {
  if (value === undefined) return '';
  const body = value.endsWith('=.') ? value.slice(0, -2) : value;
  const bytes: number[] = [];
  for (let i = 0; i < body.length; i++) {
    const hex = body.slice(i + 1, i + 3);
    if (body[i] === '=' && /^[0-9A-F]{2}$/i.test(hex)) {
      bytes.push(Number.parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(body[i] as string, 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
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
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>acme/shop !${escapeHtml(tag('mr'))}</title>
<meta http-equiv="refresh" content="5">
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;color:#1d1c1d}
h1{font-size:1.6rem}th{text-align:left;padding-right:1.5rem;color:#616061;font-weight:500;white-space:nowrap;vertical-align:top}
td{font-family:ui-monospace,monospace;word-break:break-all}.note{color:#616061;font-size:.9rem;margin-top:2rem}</style></head>
<body><h1>acme/shop — review app</h1><p>This is the merge request's build, running as its own task.</p>
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
  });
  let page: Awaited<ReturnType<typeof startPageServer>>;
  try {
    page = await startPageServer({
      sandbox,
      world: new World(sandbox),
      users: PLAYGROUND_USERS,
      channels: PLAYGROUND_CHANNELS,
      now,
      speed: options.speed ?? 1,
      port: options.port,
      host: options.host ?? '127.0.0.1',
    });
  } catch (error) {
    await sandbox.close();
    throw error;
  }
  const env: Env = {
    ...sandbox.env,
    ALLOWED_USER_IDS: PLAYGROUND_USERS.filter((u) => u.allowed)
      .map((u) => u.id)
      .join(','),
    ALLOWED_CHANNEL_IDS: PLAYGROUND_CHANNELS.filter((c) => c.allowed)
      .map((c) => c.id)
      .join(','),
    // Each task's public IP leads, through the page's /apps/ route, to its own app server.
    REVIEW_APP_URL_TEMPLATE: `${page.url}/apps/{public_ip}/`,
    // The bot's health endpoint must not take the page's port.
    PORT: '0',
  };
  const close = async () => {
    await page.close();
    await sandbox.close();
  };
  return { url: page.url, env, sandbox, close, [Symbol.asyncDispose]: close };
}
