import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { answerByName, type LoadBalancerFront, nameOf } from './page-balancer.js';
import type { World, WorldAction } from './page-world.js';
import type { Sandbox } from './run.js';

/**
 * The sandbox's web page: a Slack channel drawn from what the bot really
 * posted to the Slack stand-in, and a side panel for the other stand-ins.
 * The browser sends what a Slack user does (a command, a click, a modal
 * submission); this server turns each into the payload Slack would send the
 * bot over Socket Mode. Changes reach the page as server-sent events.
 */

export interface PageUser {
  id: string;
  name: string;
  allowed: boolean;
}
export interface PageChannel {
  id: string;
  name: string;
  allowed: boolean;
}

export interface PageServerOptions {
  sandbox: Sandbox;
  world: World;
  users: PageUser[];
  channels: PageChannel[];
  now: () => number;
  speed: number;
  port: number;
  host: string;
  /**
   * The load balancer this server plays for names under its domain (set once the
   * listener exists: it takes the server's port).
   */
  loadBalancer?: () => LoadBalancerFront | undefined;
}

const STATIC: Record<string, string> = {
  '/': 'index.html',
  '/app.js': 'app.js',
  '/blocks.js': 'blocks.js',
  '/style.css': 'style.css',
};
const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
};
const PAGE_DIR = new URL('../page/', import.meta.url);
/** How often the state is compared with what the page last got. */
const PUSH_INTERVAL_MS = 150;

class BadRequest extends Error {}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  let body = '';
  for await (const chunk of req) body += chunk;
  try {
    const parsed: unknown = JSON.parse(body || '{}');
    if (typeof parsed === 'object' && parsed !== null) return parsed as Record<string, unknown>;
  } catch {
    // answered below
  }
  throw new BadRequest('expected a JSON object');
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

const text = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : undefined;

export async function startPageServer(
  options: PageServerOptions,
): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const { sandbox, world } = options;
  const { slack } = sandbox;
  const streams = new Set<ServerResponse>();

  const state = () => ({
    connected: slack.socket.connectionCount() > 0,
    users: options.users,
    channels: options.channels,
    botUserId: slack.botUserId,
    messages: slack.messages().filter((m) => !m.deleted),
    ephemerals: slack.ephemerals(),
    views: slack
      .views()
      .filter((v) => !v.closed)
      .map(({ id, user, title, submit, close, blocks }) => ({
        id,
        user,
        title,
        submit,
        close,
        blocks,
      })),
    projects: world.projects.map(({ path, channels }) => ({ path, channels })),
    mergeRequests: world.mergeRequests(),
    tasks: world.tasks(),
  });
  const clock = () => ({ speed: options.speed, at: options.now(), realAt: Date.now() });

  let last = '';
  const push = () => {
    if (streams.size === 0) return;
    const current = JSON.stringify(state());
    if (current === last) return;
    last = current;
    for (const stream of streams) stream.write(`event: state\ndata: ${current}\n\n`);
  };
  const timer = setInterval(push, PUSH_INTERVAL_MS);

  const userOf = (body: Record<string, unknown>) => {
    const user = text(body.user);
    if (!user || !options.users.some((u) => u.id === user)) throw new BadRequest('unknown user');
    return user;
  };
  const botConnected = () => slack.socket.connectionCount() > 0;

  async function api(path: string, body: Record<string, unknown>): Promise<unknown> {
    if (path === '/api/world') {
      const notice = world.apply(body as unknown as WorldAction);
      return notice ? { notice } : {};
    }
    if (path === '/api/close-view') {
      slack.closeView(text(body.viewId) ?? '');
      return {};
    }
    if (!botConnected())
      throw new BadRequest('The bot is not connected to the Slack stand-in yet.');
    const user = userOf(body);
    switch (path) {
      case '/api/command': {
        const channel = text(body.channel);
        const typed = (text(body.text) ?? '').trim();
        const match = /^\/review-app(?:\s+(.*))?$/s.exec(typed);
        if (!channel || !match) throw new BadRequest('Type a /review-app command.');
        await slack.socket.sendSlashCommand({
          text: (match[1] ?? '').trim(),
          user_id: user,
          channel_id: channel,
        });
        return {};
      }
      case '/api/action': {
        const actionId = text(body.actionId);
        if (!actionId) throw new BadRequest('actionId is required');
        const value = text(body.value);
        const action = { action_id: actionId, ...(value !== undefined ? { value } : {}) };
        const channel = text(body.channel) ?? '';
        const ts = text(body.ts) ?? '';
        const threadTs = text(body.threadTs);
        await slack.socket.sendBlockAction({
          user_id: user,
          channel_id: channel,
          message_ts: ts,
          ...(threadTs ? { thread_ts: threadTs } : {}),
          actions: [action],
          // A button on an ephemeral message: Slack marks the container so.
          ...(body.ephemeral === true
            ? {
                container: {
                  type: 'message',
                  message_ts: ts,
                  channel_id: channel,
                  is_ephemeral: true,
                },
              }
            : {}),
        });
        return {};
      }
      case '/api/options': {
        const result = await slack.socket.sendOptionsRequest({
          user_id: user,
          view_id: text(body.viewId) ?? '',
          action_id: text(body.actionId) ?? '',
          ...(text(body.blockId) ? { block_id: text(body.blockId) } : {}),
          value: text(body.value) ?? '',
        });
        return result.options ?? { options: [] };
      }
      case '/api/submit': {
        const result = await slack.socket.sendViewSubmission({
          user_id: user,
          view_id: text(body.viewId) ?? '',
          view: { state: { values: (body.values ?? {}) as Record<string, unknown> } },
        });
        return result.response ?? {};
      }
      default:
        throw new BadRequest(`no such endpoint: ${path}`);
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // A review app's name (shop-mr-1.review.localhost): the load balancer answers, not the page.
    const front = options.loadBalancer?.();
    const name = front ? nameOf(req, front.domain) : undefined;
    if (front && name) {
      await answerByName(req, res, name, front, sandbox.aws, (ip) => world.appAt(ip));
      return;
    }
    const url = new URL(req.url ?? '/', 'http://page');
    const file = STATIC[url.pathname];
    if (req.method === 'GET' && file) {
      const content = await readFile(new URL(file, PAGE_DIR));
      res.writeHead(200, {
        'content-type': TYPES[file.split('.').pop() ?? ''] ?? 'text/plain',
        'cache-control': 'no-store',
      });
      res.end(content);
      return;
    }
    if (req.method === 'GET' && url.pathname === '/events') {
      res.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-store',
        connection: 'keep-alive',
      });
      res.write(`event: clock\ndata: ${JSON.stringify(clock())}\n\n`);
      res.write(`event: state\ndata: ${JSON.stringify(state())}\n\n`);
      streams.add(res);
      req.on('close', () => streams.delete(res));
      return;
    }
    if (req.method === 'POST' && url.pathname.startsWith('/api/')) {
      try {
        sendJson(res, 200, await api(url.pathname, await readJson(req)));
      } catch (error) {
        if (error instanceof BadRequest) return sendJson(res, 400, { error: error.message });
        sendJson(res, 500, { error: (error as Error).message });
      }
      return;
    }
    res.writeHead(404).end();
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: (error as Error).message });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${options.host === '127.0.0.1' ? 'localhost' : options.host}:${port}`;
  return {
    url,
    server,
    async close() {
      clearInterval(timer);
      for (const stream of streams) stream.end();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
