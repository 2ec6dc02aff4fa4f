import type { Clock } from '../../src/core/clock.js';

/**
 * Virtual time. `sleep` waits until `advance` moves time past its wake-up;
 * with `autoAdvance`, a sleep moves time itself, so polling loops run through
 * minutes of virtual time at once.
 */
export class FakeClock implements Clock {
  private current: number;
  private sleepers: { wake: number; resolve: () => void }[] = [];

  constructor(
    start = Date.UTC(2026, 10, 27, 12, 0, 0),
    private readonly options: { autoAdvance?: boolean } = {},
  ) {
    this.current = start;
  }

  now = (): number => this.current;

  sleep = (ms: number, signal?: AbortSignal): Promise<void> => {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.options.autoAdvance) {
      this.current += ms;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const sleeper = { wake: this.current + ms, resolve };
      this.sleepers.push(sleeper);
      signal?.addEventListener(
        'abort',
        () => {
          this.sleepers = this.sleepers.filter((s) => s !== sleeper);
          reject(signal.reason);
        },
        { once: true },
      );
    });
  };

  /** Move time forward, waking every sleeper whose time has come. */
  advance(ms: number): void {
    this.current += ms;
    const due = this.sleepers.filter((s) => s.wake <= this.current);
    this.sleepers = this.sleepers.filter((s) => s.wake > this.current);
    for (const sleeper of due) sleeper.resolve();
  }

  /** How many are waiting, so a test can wait for a loop to reach its sleep. */
  get waiting(): number {
    return this.sleepers.length;
  }
}
