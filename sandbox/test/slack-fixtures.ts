import type { Logger } from '@slack/bolt';
import { silentLogger } from '../../src/core/logger.js';
import { boltLogger } from '../../src/slack/bolt-logger.js';

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
