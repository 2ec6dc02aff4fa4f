import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Review apps that really answer: one small HTTP server on loopback for each
 * RUNNING task, closed when the task leaves RUNNING or the stand-in closes.
 * Opt-in (`serveApps`), so that the stand-in's own tests open no servers.
 * Like any app, each prints a line when it starts and one per request it
 * answers, which reach CloudWatch Logs when its container logs there.
 */

/** Where an app's output goes: the lines one container of the task printed. */
export type AppOutput = (arn: string, lines: string[]) => void;

/** What an app's page is made from: the task as DescribeTasks shows it, and the clock. */
export type AppPageRenderer = (task: AppTaskView, now: number) => string;

export interface AppTaskView {
  taskArn: string;
  lastStatus: string;
  desiredStatus: string;
  startedAt?: number;
  tags: { key: string; value: string }[];
  containers: { name: string; image: string }[];
}

interface Served {
  server: Server;
  ready: Promise<string>;
}

export class AppServers {
  private readonly served = new Map<string, Served>();

  constructor(
    private readonly render: AppPageRenderer,
    private readonly now: () => number,
    private readonly describe: (arn: string) => AppTaskView | undefined,
    private readonly print: AppOutput = () => {},
  ) {}

  /**
   * Starts servers for tasks that became RUNNING, closes those of tasks that
   * did not stay so, or are being stopped (StopTask signals the containers at once).
   */
  sync(tasks: readonly { arn: string; lastStatus: string; desiredStatus: string }[]): void {
    const running = new Set(
      tasks
        .filter((t) => t.lastStatus === 'RUNNING' && t.desiredStatus === 'RUNNING')
        .map((t) => t.arn),
    );
    for (const arn of running) if (!this.served.has(arn)) this.start(arn);
    for (const arn of [...this.served.keys()]) if (!running.has(arn)) this.stop(arn);
  }

  /** `http://127.0.0.1:<port>` of a running task's app, or undefined. */
  async url(arn: string): Promise<string | undefined> {
    return this.served.get(arn)?.ready;
  }

  async close(): Promise<void> {
    await Promise.all([...this.served.keys()].map((arn) => this.stop(arn)));
  }

  private start(arn: string): void {
    const server = createServer((req, res) => {
      const task = this.describe(arn);
      if (task?.lastStatus !== 'RUNNING' || task.desiredStatus !== 'RUNNING') {
        res.writeHead(503).end();
        return;
      }
      this.print(arn, [`${req.method} ${req.url} 200`]);
      res.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
      });
      res.end(req.method === 'HEAD' ? undefined : this.render(task, this.now()));
    });
    const ready = new Promise<string>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () =>
        resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
      );
    });
    this.served.set(arn, { server, ready });
    this.print(arn, ['Starting the review app', 'Ready: accepting HTTP requests']);
  }

  private async stop(arn: string): Promise<void> {
    const served = this.served.get(arn);
    if (!served) return;
    this.served.delete(arn);
    await served.ready.catch(() => undefined);
    served.server.closeAllConnections();
    await new Promise<void>((resolve) => served.server.close(() => resolve()));
  }
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A plain page naming what runs: the image, the task's tags and when it started. */
export const defaultAppPage: AppPageRenderer = (task) => {
  const rows = task.tags
    .map((t) => `<tr><th>${escapeHtml(t.key)}</th><td>${escapeHtml(t.value)}</td></tr>`)
    .join('');
  const images = task.containers.map(
    (c) => `<li>${escapeHtml(c.name)}: ${escapeHtml(c.image)}</li>`,
  );
  return `<!doctype html><title>Review app</title><h1>Review app</h1><ul>${images.join('')}</ul><table>${rows}</table>`;
};
