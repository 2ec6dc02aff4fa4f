import type { Clock } from './clock.js';
import { ReviewAppError } from './errors.js';
import type { AppRouter, RoutedApp, RouteHealth } from './ports.js';
import type { TaskInfo } from './types.js';
import { plural } from './words.js';

/** The status a launch shows while the load balancer's health checks have not passed yet. */
export const HEALTH_CHECKS_STATUS = 'HEALTH_CHECKS';

/**
 * The longest wait between two looks at a starting target. "After your target is
 * registered, it must pass one health check to be considered healthy" (Health checks for
 * Application Load Balancer target groups, ALB guide), and the bot's checks run every 5 s,
 * so a healthy app turns healthy within seconds: with waits growing to 5 s, the link came
 * up to 5 s after it (3 s beyond the checks in the benchmark, docs/performance.md). At one
 * look every 2 s a launch makes half a `Describe*` call a second; the ELB user guide's
 * example for them is a bucket of 40 refilled at 10 a second (Request throttling for the
 * ELB API).
 */
const LONGEST_WAIT_MS = 2_000;

/**
 * Poll the load balancer until the app's target is healthy (1 s, then ×1.5 up to 2 s, on
 * the engine's clock), until `deadline`. A target found unhealthy, or still not healthy at
 * the deadline, is APP_UNHEALTHY with the load balancer's reason: the link is never posted
 * for an app nobody could open.
 */
export async function waitForHealthyRoute(
  deps: { router: AppRouter; clock: Clock },
  app: RoutedApp,
  task: TaskInfo,
  options: { deadline: number; timeoutMs: number; signal?: AbortSignal | undefined },
): Promise<void> {
  const { router, clock } = deps;
  let interval = 1_000;
  for (;;) {
    const health = await router.health(app);
    if (health.state === 'healthy') return;
    if (health.state === 'unhealthy') throw unhealthy(task, health, 'failed its health checks');
    if (clock.now() >= options.deadline) {
      const minutes = Math.max(1, Math.round(options.timeoutMs / 60_000));
      throw unhealthy(
        task,
        health,
        `did not pass its health checks within ${plural(minutes, 'minute')}`,
      );
    }
    await clock.sleep(interval, options.signal);
    interval = Math.min(Math.round(interval * 1.5), LONGEST_WAIT_MS);
  }
}

function unhealthy(task: TaskInfo, health: RouteHealth, what: string): ReviewAppError {
  const why = [health.description, health.reason ? `(${health.reason})` : undefined]
    .filter(Boolean)
    .join(' ');
  return new ReviewAppError(
    'APP_UNHEALTHY',
    `The app started but ${what}${why ? `: ${why}` : ''}, so it was stopped. Check that it answers on its port and health-check path; its last lines are below.`,
    { task, health },
  );
}
