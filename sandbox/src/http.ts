import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as it reached a stand-in, kept for assertions. */
export interface RecordedRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: string;
  /** What the stand-in calls the operation (`RunTask`, `chat.postMessage`, `GET /projects/:id`...). */
  operation: string;
  at: number;
}

export interface HttpReply {
  status: number;
  headers?: Record<string, string>;
  body: string;
}

/** A fault answered instead of the real reply, for `times` matching requests (default: every one). */
export interface FaultRule {
  /** Operation name as recorded, or a predicate on the recorded request. */
  match: string | ((request: RecordedRequest) => boolean);
  reply: HttpReply | ((request: RecordedRequest) => HttpReply);
  times?: number;
}

export interface LoopbackServer extends AsyncDisposable {
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** Answer matching requests with a fault instead (see FaultRule). */
  fault(rule: FaultRule): void;
  /** Delay every answer by `ms` (0 to stop). */
  setLatency(ms: number): void;
  /** Hold every request until the returned function is called. */
  hold(): () => void;
  close(): Promise<void>;
}

/**
 * A loopback HTTP server on port 0 that records each request, can inject
 * faults and latency, and is disposed with `await using`.
 *
 * `identify` names the operation before faults are applied; `handle` answers.
 */
export async function startLoopbackServer(options: {
  identify: (request: Omit<RecordedRequest, 'operation'>) => string;
  handle: (request: RecordedRequest) => HttpReply | Promise<HttpReply>;
  /** Extra hook for upgrade requests (WebSocket). */
  onServer?: (server: Server) => void;
}): Promise<LoopbackServer> {
  const requests: RecordedRequest[] = [];
  const faults: FaultRule[] = [];
  let latency = 0;
  let gate: Promise<void> | undefined;

  const server = createServer((req, res) => {
    void serve(req, res);
  });

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', 'http://loopback');
    const partial = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body: Buffer.concat(chunks).toString('utf8'),
      at: Date.now(),
    };
    const recorded: RecordedRequest = { ...partial, operation: options.identify(partial) };
    requests.push(recorded);
    try {
      if (gate) await gate;
      if (latency > 0) await new Promise((r) => setTimeout(r, latency));
      const fault = takeFault(recorded);
      const reply = fault
        ? typeof fault.reply === 'function'
          ? fault.reply(recorded)
          : fault.reply
        : await options.handle(recorded);
      res.writeHead(reply.status, reply.headers ?? {});
      res.end(reply.body);
    } catch (error) {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`stand-in error: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  function takeFault(request: RecordedRequest): FaultRule | undefined {
    const index = faults.findIndex((rule) =>
      typeof rule.match === 'string' ? rule.match === request.operation : rule.match(request),
    );
    if (index < 0) return undefined;
    const rule = faults[index] as FaultRule;
    if (rule.times !== undefined) {
      rule.times -= 1;
      if (rule.times <= 0) faults.splice(index, 1);
    }
    return rule;
  }

  options.onServer?.(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    fault: (rule) => faults.push({ ...rule }),
    setLatency: (ms) => {
      latency = ms;
    },
    hold: () => {
      let release = () => {};
      gate = new Promise<void>((resolve) => {
        release = () => {
          gate = undefined;
          resolve();
        };
      });
      return release;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}

export function json(
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
): HttpReply {
  return {
    status,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(value),
  };
}
