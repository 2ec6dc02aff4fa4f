import { describe, expect, it } from 'vitest';
import type { AppRouter, RouteHealth } from '../../src/core/ports.js';
import { waitForHealthyRoute } from '../../src/core/route-health.js';
import type { TaskInfo } from '../../src/core/types.js';
import { FakeClock } from '../support/fake-clock.js';

const app = { project: 'acme/shop', mr: 42, taskArn: 'arn:task/1', ip: '10.0.0.4', port: 3000 };
const task: TaskInfo = {
  arn: 'arn:task/1',
  lastStatus: 'RUNNING',
  desiredStatus: 'RUNNING',
  containers: [],
  tags: {},
};

/** A load balancer whose target turns healthy `afterMs` after the wait begins. */
function routerHealthyAfter(clock: FakeClock, afterMs: number) {
  const begun = clock.now();
  const looks: number[] = [];
  const router = {
    health: async (): Promise<RouteHealth> => {
      looks.push(clock.now() - begun);
      return clock.now() - begun >= afterMs ? { state: 'healthy' } : { state: 'initial' };
    },
  } as unknown as AppRouter;
  return { router, looks, begun };
}

describe('waiting for the load balancer to find a new app healthy', () => {
  it('posts the link within 2 s of the target turning healthy, after checks of 10 s', async () => {
    const clock = new FakeClock(undefined, { autoAdvance: true });
    const { router, looks, begun } = routerHealthyAfter(clock, 10_000);
    await waitForHealthyRoute({ router, clock }, app, task, {
      deadline: begun + 5 * 60_000,
      timeoutMs: 5 * 60_000,
    });
    // Looks every 1 s, 1.5 s, then 2 s: with waits growing to 5 s the last came at 13.1 s.
    expect(clock.now() - begun).toBeGreaterThanOrEqual(10_000);
    expect(clock.now() - begun).toBeLessThanOrEqual(12_000);
    expect(looks).toEqual([0, 1_000, 2_500, 4_500, 6_500, 8_500, 10_500]);
  });
});
