import { describe, expect, it } from 'vitest';
import { scaledClock } from '../../src/core/clock.js';
import { FakeClock } from '../support/fake-clock.js';

describe('a scaled clock (SANDBOX_SPEED)', () => {
  it('lets a 30-minute lifetime pass in 30 seconds at speed 60', async () => {
    const base = new FakeClock(Date.UTC(2026, 10, 27, 12, 0, 0), { autoAdvance: true });
    const clock = scaledClock(60, base);
    const start = clock.now();
    expect(start).toBe(base.now());

    await clock.sleep(30 * 60_000);

    expect(clock.now() - start).toBe(30 * 60_000);
    expect(base.now() - start).toBe(30_000);
  });
});
