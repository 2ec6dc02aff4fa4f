import type { Clock } from './clock.js';
import { stopReasonFor } from './diagnosis.js';
import { ReviewAppError } from './errors.js';
import type { TaskPlatform } from './ports.js';
import type { LifetimeSettings } from './settings.js';
import { isEnded, type TaskInfo } from './types.js';
import { plural } from './words.js';

/** How long a task just started may stay invisible to DescribeTasks before it counts as lost. */
const NOT_VISIBLE_GRACE_MS = 30_000;

/**
 * Poll a task until it runs, with a short, growing interval (1 s, then ×1.5
 * up to 5 s). A task that stops while starting is explained; one that takes
 * longer than the launch timeout is stopped, so nothing is left half-started.
 */
export async function waitForRunningTask(
  deps: { platform: TaskPlatform; clock: Clock; lifetime: LifetimeSettings },
  arn: string,
  options: { onStatus?: (status: string) => void; signal?: AbortSignal },
): Promise<TaskInfo> {
  const { platform, clock, lifetime } = deps;
  const started = clock.now();
  let interval = 1_000;
  let lastStatus = '';
  for (;;) {
    const [task] = await platform.describeTasks([arn]);
    if (!task) {
      // ECS is eventually consistent: a task just started may not be visible yet.
      if (clock.now() - started < NOT_VISIBLE_GRACE_MS) {
        await clock.sleep(interval, options.signal);
        continue;
      }
      throw new ReviewAppError(
        'AWS_ERROR',
        'ECS started the task but never showed it, so it was stopped. Try again in a minute.',
      );
    }
    if (task.lastStatus !== lastStatus) {
      lastStatus = task.lastStatus;
      options.onStatus?.(lastStatus);
    }
    if (isEnded(task)) {
      const why = platform.explainStop(task);
      throw new ReviewAppError('TASK_STOPPED', [why.summary, why.hint].filter(Boolean).join(' '), {
        explanation: why,
        task,
      });
    }
    if (task.lastStatus === 'RUNNING') return task;
    if (clock.now() - started >= lifetime.launchTimeoutMs) {
      await platform.stopTask(task.arn, stopReasonFor('timeout'));
      throw new ReviewAppError(
        'LAUNCH_TIMEOUT',
        `The task was still ${task.lastStatus} after ${plural(Math.round(lifetime.launchTimeoutMs / 60_000), 'minute')}, so it was stopped. Check the cluster's capacity and the subnets' routes, then try again.`,
        { task },
      );
    }
    await clock.sleep(interval, options.signal);
    interval = Math.min(Math.round(interval * 1.5), 5_000);
  }
}
