import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { type RawData, WebSocket, WebSocketServer } from 'ws';
import type { RecordedRequest } from './http.js';
import { randomHex } from './slack-model.js';

/**
 * Slack's side of Socket Mode: `apps.connections.open` hands out a one-use
 * `ws://.../socket?ticket=...` URL; a connection gets Slack's `hello`, then
 * envelopes `{envelope_id, type, payload, accepts_response_payload}`; the app
 * answers each with `{envelope_id, payload?}`.
 */

export type EnvelopeType = 'slash_commands' | 'interactive';

export interface EnvelopeResult {
  envelope_id: string;
  /** The app's acknowledgement as sent: `{envelope_id, payload?}`. */
  ack: { envelope_id: string; payload?: unknown } & Record<string, unknown>;
  durationMs: number;
}

export interface SendEnvelopeOptions {
  accepts_response_payload?: boolean;
  retry_attempt?: number;
  retry_reason?: string;
  /** Reject when no ack arrives in time (default: wait for the ack or the socket's close). */
  timeoutMs?: number;
}

export interface SocketModeStandIn {
  /**
   * Resolves once an app holds an open connection that has received `hello`,
   * and at least `greetings` connections were greeted so far (2: a reconnect).
   */
  connected(greetings?: number): Promise<void>;
  /** Connections greeted with `hello` so far. */
  greetings(): number;
  /** Open connections. */
  connectionCount(): number;
  /** Sends an envelope on the newest open connection and waits for its ack. */
  sendEnvelope(
    type: EnvelopeType,
    payload: unknown,
    options?: SendEnvelopeOptions,
  ): Promise<EnvelopeResult>;
  /** Pings every open connection; resolves when all have answered with a pong. */
  ping(): Promise<void>;
  /** Sends Slack's `disconnect` message (the app should reconnect with a new URL). */
  requestDisconnect(reason?: string): void;
  /** Cuts every open connection without a close handshake, as a network failure does. */
  dropConnections(): void;
}

interface Pending {
  resolve: (result: EnvelopeResult) => void;
  reject: (error: Error) => void;
  socket: WebSocket;
  startedAt: number;
  timer?: NodeJS.Timeout;
}

export interface SocketModeServer {
  socket: SocketModeStandIn;
  /** For startLoopbackServer's `onServer`. */
  attach(server: Server): void;
  /** For apps.connections.open. */
  issueUrl(): string;
  close(): Promise<void>;
}

export function createSocketModeServer(options: {
  appId: string;
  baseUrl: () => string;
  record: (request: RecordedRequest) => void;
}): SocketModeServer {
  const wss = new WebSocketServer({ noServer: true });
  const tickets = new Set<string>();
  const open: WebSocket[] = [];
  const pending = new Map<string, Pending>();
  let waiters: Array<() => void> = [];
  let greeted = 0;
  const isReady = (greetings: number) =>
    greeted >= greetings && open.some((ws) => ws.readyState === WebSocket.OPEN);

  function onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://loopback');
    const ticket = url.searchParams.get('ticket') ?? '';
    options.record({
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body: '',
      operation: 'socket.connect',
      at: Date.now(),
    });
    if (url.pathname !== '/socket' || !tickets.delete(ticket)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws));
  }

  function onConnection(ws: WebSocket): void {
    open.push(ws);
    ws.on('message', (data: RawData) => onMessage(data));
    ws.on('close', () => {
      const index = open.indexOf(ws);
      if (index >= 0) open.splice(index, 1);
      for (const [id, p] of pending) {
        if (p.socket !== ws) continue;
        pending.delete(id);
        clearTimeout(p.timer);
        p.reject(new Error(`Socket Mode connection closed before envelope ${id} was acknowledged`));
      }
    });
    ws.send(
      JSON.stringify({
        type: 'hello',
        num_connections: open.length,
        debug_info: {
          host: 'applink-stand-in',
          build_number: 1,
          approximate_connection_time: 18060,
        },
        connection_info: { app_id: options.appId },
      }),
      () => {
        greeted += 1;
        const ready = waiters;
        waiters = [];
        for (const check of ready) check();
      },
    );
  }

  function onMessage(data: RawData): void {
    let message: unknown;
    try {
      message = JSON.parse(data.toString());
    } catch {
      message = data.toString();
    }
    const id = (message as { envelope_id?: unknown } | null)?.envelope_id;
    if (typeof id !== 'string') return;
    const p = pending.get(id);
    if (!p) return;
    pending.delete(id);
    clearTimeout(p.timer);
    p.resolve({
      envelope_id: id,
      ack: message as EnvelopeResult['ack'],
      durationMs: performance.now() - p.startedAt,
    });
  }

  const socket: SocketModeStandIn = {
    connected: (greetings = 1) =>
      new Promise<void>((resolve) => {
        const check = () => {
          if (isReady(greetings)) resolve();
          else waiters.push(check);
        };
        check();
      }),
    greetings: () => greeted,
    connectionCount: () => open.length,
    sendEnvelope(type, payload, sendOptions = {}) {
      const ws = open.filter((s) => s.readyState === WebSocket.OPEN).at(-1);
      if (!ws) return Promise.reject(new Error('No open Socket Mode connection'));
      const envelope_id = randomUUID();
      return new Promise<EnvelopeResult>((resolve, reject) => {
        const entry: Pending = { resolve, reject, socket: ws, startedAt: performance.now() };
        if (sendOptions.timeoutMs !== undefined) {
          entry.timer = setTimeout(() => {
            pending.delete(envelope_id);
            reject(new Error(`No ack for envelope ${envelope_id} in ${sendOptions.timeoutMs} ms`));
          }, sendOptions.timeoutMs);
        }
        pending.set(envelope_id, entry);
        ws.send(
          JSON.stringify({
            envelope_id,
            payload,
            type,
            accepts_response_payload: sendOptions.accepts_response_payload ?? true,
            ...(sendOptions.retry_attempt !== undefined
              ? { retry_attempt: sendOptions.retry_attempt }
              : {}),
            ...(sendOptions.retry_reason !== undefined
              ? { retry_reason: sendOptions.retry_reason }
              : {}),
          }),
        );
      });
    },
    ping: () =>
      Promise.all(
        open.map(
          (ws) =>
            new Promise<void>((resolve) => {
              ws.once('pong', () => resolve());
              ws.ping(Buffer.from(`ping from stand-in ${Date.now()}`));
            }),
        ),
      ).then(() => undefined),
    dropConnections() {
      for (const ws of [...open]) ws.terminate();
    },
    requestDisconnect(reason = 'refresh_requested') {
      for (const ws of open) {
        ws.send(
          JSON.stringify({ type: 'disconnect', reason, debug_info: { host: 'applink-stand-in' } }),
        );
      }
    },
  };

  return {
    socket,
    attach: (server) => {
      server.on('upgrade', onUpgrade);
    },
    issueUrl: () => {
      const ticket = randomHex(16);
      tickets.add(ticket);
      const base = options.baseUrl().replace(/^http/, 'ws');
      return `${base}/socket?ticket=${ticket}&app_id=${options.appId}`;
    },
    close: async () => {
      // Close handshake first (the client then stops cleanly), then make sure.
      await Promise.all(
        [...open].map(
          (ws) =>
            new Promise<void>((resolve) => {
              const timer = setTimeout(() => ws.terminate(), 500);
              ws.once('close', () => {
                clearTimeout(timer);
                resolve();
              });
              ws.close(1001, 'stand-in closing');
            }),
        ),
      );
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
