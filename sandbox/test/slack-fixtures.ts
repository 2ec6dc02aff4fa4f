import type { AddressInfo } from 'node:net';
import { App, type Logger, webApi } from '@slack/bolt';
import { expect } from 'vitest';
import { silentLogger } from '../../src/core/logger.js';
import { boltLogger } from '../../src/slack/bolt-logger.js';
import { type SlackStandIn, startSlackStandIn } from '../src/slack.js';

const { WebClient, ErrorCode } = webApi;

/** Bolt and WebClient log `[ERROR]` lines for refused calls; tests that provoke them stay quiet. */
export function quietLogger(): Logger {
  return boltLogger(silentLogger);
}

/** A promise with its resolve and reject at hand, for waiting on a listener. */
export function deferred<T = void>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** The real WebClient pointed at the stand-in, without retries. */
export function clientFor(
  standIn: { apiUrl: string; botToken: string },
  options: ConstructorParameters<typeof WebClient>[1] = {},
) {
  return new WebClient(standIn.botToken, {
    slackApiUrl: standIn.apiUrl,
    logger: quietLogger(),
    retryConfig: { retries: 0 },
    ...options,
  });
}

/** The `data` of the platform error (`ok: false`) a call ends in. */
export async function platformError(promise: Promise<unknown>): Promise<Record<string, unknown>> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e as { code?: string; data?: Record<string, unknown> },
  );
  expect(error?.code).toBe(ErrorCode.PlatformError);
  return error?.data ?? {};
}

/** A real Bolt app in HTTP mode on an ephemeral loopback port, stopped on dispose. */
export async function startBolt(slack: SlackStandIn, setup: (app: App) => void) {
  const app = new App({
    token: slack.botToken,
    signingSecret: slack.signingSecret,
    clientOptions: { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } },
    logger: quietLogger(),
  });
  setup(app);
  const server = await app.start({ port: 0, host: '127.0.0.1' });
  const { port } = server.address() as AddressInfo;
  return {
    app,
    url: `http://127.0.0.1:${port}/slack/events`,
    [Symbol.asyncDispose]: async () => {
      await app.stop();
    },
  };
}

/**
 * Posts `blocks` and expects Slack's refusal: `invalid_blocks`, naming the JSON pointer of
 * the offending part, and nothing posted (a refused post is seen by nobody).
 */
export async function expectInvalidBlocks(blocks: unknown[], pointer: string): Promise<void> {
  await using slack = await startSlackStandIn();
  const client = clientFor(slack);
  const data = await platformError(
    client.chat.postMessage({ channel: 'C1', text: 't', blocks: blocks as never }),
  );
  expect(data.error).toBe('invalid_blocks');
  const messages = (data.response_metadata as { messages: string[] }).messages;
  expect(messages.some((m) => m.includes(`[json-pointer:${pointer}]`))).toBe(true);
  expect(slack.messages()).toHaveLength(0);
}
