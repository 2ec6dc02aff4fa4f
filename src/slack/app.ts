import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, HTTPReceiver, SocketModeReceiver } from '@slack/bolt';
import { healthReport } from '../health.js';
import { registerActions } from './actions/register.js';
import { boltLogger } from './bolt-logger.js';
import { registerCommands } from './commands/register.js';
import type { SlackServices } from './services.js';
import type { SlackSettings } from './settings.js';
import { type BotIdentity, listenError, slackStartupError } from './startup.js';
import { registerViews } from './views/register.js';

export interface Bot {
  app: App;
  mode: 'http' | 'socket';
  /** Starts listening; resolves with the HTTP port (Slack events in HTTP mode, health in both). */
  start(): Promise<number>;
  stop(): Promise<void>;
}

const HEALTH_PATH = '/healthz';

/**
 * The Bolt app: Socket Mode when an app token is set, HTTP otherwise. The
 * transport is a seam: listeners never know which one delivered a request.
 */
export function createSlackApp(options: {
  config: SlackSettings;
  /** What every listener gets, built once by the composition root (the watcher uses it too). */
  services: SlackServices;
  /** How the watcher's rounds went, for /healthz (the watcher starts after the app). */
  watchHealth?: () => { failedRounds: number; lastFailure?: string } | undefined;
  /** From our own auth.test at start; Bolt then makes no call of its own. */
  identity?: BotIdentity;
}): Bot {
  const { config, services } = options;
  const { logger } = services;
  const clientOptions = config.apiUrl ? { slackApiUrl: config.apiUrl } : {};
  const health = (_req: unknown, res: ServerResponse) => {
    const report = healthReport({ slackConnected, watch: options.watchHealth?.() });
    res.writeHead(report.ok ? 200 : 503, { 'content-type': 'application/json' });
    res.end(JSON.stringify(report));
  };

  const socket = config.appToken !== undefined;
  const receiver = socket
    ? new SocketModeReceiver({
        appToken: config.appToken as string,
        logger: boltLogger(logger),
        installerOptions: { clientOptions },
      })
    : new HTTPReceiver({
        signingSecret: config.signingSecret as string,
        endpoints: '/slack/events',
        logger: boltLogger(logger),
        customRoutes: [{ path: HEALTH_PATH, method: ['GET'], handler: health }],
      });
  // Socket Mode: the app can only hear Slack while its WebSocket is open.
  let slackConnected: boolean | undefined;
  if (receiver instanceof SocketModeReceiver) {
    slackConnected = false;
    const client = receiver.client;
    client.on('connected', () => {
      slackConnected = true;
    });
    for (const down of ['close', 'reconnecting', 'disconnected']) {
      client.on(down, () => {
        slackConnected = false;
      });
    }
  }
  const app = new App({
    token: config.botToken,
    ...(options.identity ?? {}),
    receiver,
    clientOptions,
    logger: boltLogger(logger),
  });
  app.error(async (error) => {
    logger.error('unhandled error in a Slack listener', { error });
  });
  registerCommands(app, services);
  registerActions(app, services);
  registerViews(app, services);

  let healthServer: Server | undefined;
  return {
    app,
    mode: socket ? 'socket' : 'http',
    async start() {
      if (socket) {
        // Socket Mode has no HTTP endpoint of its own: serve the health check beside it.
        const server = createServer((req, res) => {
          if (req.method === 'GET' && req.url === HEALTH_PATH) return health(req, res);
          res.writeHead(404);
          res.end();
        });
        await new Promise<void>((resolve, reject) => {
          server.once('error', (error) => reject(listenError(error, config.port)));
          server.listen(config.port, resolve);
        });
        healthServer = server;
        try {
          await app.start();
        } catch (error) {
          throw slackStartupError(error, 'SLACK_APP_TOKEN', config.apiUrl);
        }
        return (server.address() as AddressInfo).port;
      }
      try {
        const server = (await app.start(config.port)) as Server;
        return (server.address() as AddressInfo).port;
      } catch (error) {
        throw listenError(error, config.port);
      }
    },
    async stop() {
      try {
        await app.stop();
      } finally {
        const server = healthServer;
        healthServer = undefined;
        if (server?.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    },
  };
}
