/**
 * Time as the program sees it. Injected everywhere so that tests can drive
 * countdowns and polling through hours in milliseconds.
 */
export interface Clock {
  now(): number;
  /** Resolves after `ms`, or rejects with the signal's reason when aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

/**
 * Time running `speed` times faster than `base`, from now on: the sandbox's
 * `SANDBOX_SPEED`, so that a 30-minute lifetime can be watched in 30 seconds.
 * One such clock is shared by the bot, its watcher and the stand-ins, or
 * deadlines written by one would be read on another's time.
 */
export function scaledClock(speed: number, base: Clock = systemClock): Clock {
  const origin = base.now();
  return {
    now: () => origin + (base.now() - origin) * speed,
    sleep: (ms, signal) => base.sleep(ms / speed, signal),
  };
}
