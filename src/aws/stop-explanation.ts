import { explainOwnStop, type StopExplanation } from '../core/diagnosis.js';
import type { ContainerState, TaskInfo } from '../core/types.js';
import type { GuardSettings } from './settings.js';

/** The name of the essential container that ends the task at its hard cap. */
export const GUARD_CONTAINER = 'review-app-lifetime';

const FAILURE_HINTS: [RegExp, string][] = [
  [
    /CannotPullContainerError/i,
    'The image could not be pulled: check that it exists and that the task can reach the registry (a public IP or a NAT gateway, and registry credentials for private registries).',
  ],
  [
    /ResourceInitializationError/i,
    'ECS could not prepare the task: usually the subnet has no route to the internet or to the VPC endpoints for ECR, Secrets Manager or CloudWatch Logs, or the execution role lacks permissions.',
  ],
  [
    /CannotStartContainerError/i,
    'The container could not start: check its command and entry point.',
  ],
  [
    /OutOfMemory|OOM/i,
    'The container ran out of memory: raise the task memory in the base task definition.',
  ],
];

/** What the bot knows about the app beside the task, to explain its end better. */
export interface StopContext {
  mode?: GuardSettings['mode'];
  /** The hard cap in milliseconds: a task stopped at or after startedAt + cap met its cap. */
  maxLifetimeMs?: number;
  /** The app's hard deadline, from its tags. */
  hardDeadline?: number;
  /** The image the app runs: the container running it is the app container. */
  image?: string;
}

/**
 * Fargate reports an out-of-memory kill in the container's reason (exit code 137 usually,
 * but not always: aws/amazon-ecs-agent issues 1187 and 2467).
 */
const OUT_OF_MEMORY = /OutOfMemoryError/i;

/** Why a stopped ECS task stopped, in words a reviewer understands. */
export function explainStop(task: TaskInfo, options: StopContext = {}): StopExplanation {
  const own = explainOwnStop(task.stoppedReason);
  if (own) return own;
  const reason = task.stoppedReason ?? '';
  const guard = task.containers.find((c) => c.name === GUARD_CONTAINER);
  const app = appContainer(task, options.image);
  if (task.stopCode === 'EssentialContainerExited') {
    const starved = [app, ...task.containers].find(
      (c) => c && c.name !== GUARD_CONTAINER && OUT_OF_MEMORY.test(c.reason ?? ''),
    );
    if (starved) return outOfMemory(task, starved, app);
    if (guard?.exitCode === 0 || (options.mode === 'command' && reachedCap(task, app, options))) {
      return {
        kind: 'hard-cap',
        summary: 'The review app reached its maximum lifetime and was stopped by ECS.',
        unexpected: true,
      };
    }
    const crashed =
      task.containers.find(
        (c) =>
          c.name !== GUARD_CONTAINER &&
          c.exitCode !== undefined &&
          c.exitCode !== 0 &&
          c.exitCode !== 137 &&
          c.exitCode !== 143,
      ) ?? app;
    const details = [
      crashed?.exitCode !== undefined ? `exit code ${crashed.exitCode}` : undefined,
      crashed?.reason,
      reason || undefined,
    ].filter(Boolean);
    return {
      kind: 'crashed',
      summary: `The app container${crashed ? ` ${crashed.name}` : ''} exited on its own (${details.join('; ')}).`,
      hint: 'Check the container logs of the task for the cause.',
      unexpected: true,
    };
  }
  if (task.stopCode === 'TaskFailedToStart' || /Error/.test(reason)) {
    const hint = FAILURE_HINTS.find(([pattern]) => pattern.test(reason))?.[1];
    return {
      kind: 'failed-to-start',
      summary: `The review app failed to start: ${reason || 'no reason given by ECS'}.`,
      ...(hint ? { hint } : {}),
      unexpected: true,
    };
  }
  if (task.stopCode === 'SpotInterruption' || task.stopCode === 'TerminationNotice') {
    return {
      kind: 'spot-interrupted',
      summary: 'AWS reclaimed the Fargate Spot capacity and the review app was stopped.',
      hint: 'Relaunch it; Spot capacity usually returns quickly.',
      unexpected: true,
    };
  }
  return {
    kind: 'stopped-outside',
    summary: `The review app was stopped outside the bot${reason ? ` (${reason})` : ''}.`,
    unexpected: true,
  };
}

/** The container running the app: the one with the app's image, else the first that is not the guard. */
function appContainer(task: TaskInfo, image: string | undefined): ContainerState | undefined {
  const others = task.containers.filter((c) => c.name !== GUARD_CONTAINER);
  return (
    (image ? others.find((c) => c.image === image) : undefined) ??
    others.find((c) => c.exitCode !== undefined) ??
    others[0]
  );
}

/**
 * `timeout` from coreutils exits 124 at the cap, BusyBox's (Alpine images) passes on the
 * program's own status: a stop at or after the hard deadline is the cap either way.
 */
function reachedCap(
  task: TaskInfo,
  app: ContainerState | undefined,
  options: StopContext,
): boolean {
  if (app?.exitCode === 124) return true;
  const deadline =
    options.hardDeadline ??
    (task.startedAt !== undefined && options.maxLifetimeMs !== undefined
      ? task.startedAt + options.maxLifetimeMs
      : undefined);
  return deadline !== undefined && task.stoppedAt !== undefined && task.stoppedAt >= deadline;
}

function outOfMemory(
  task: TaskInfo,
  starved: ContainerState,
  app: ContainerState | undefined,
): StopExplanation {
  const isApp = !app || starved.name === app.name;
  const limit = starved.memory
    ? `its container limit of ${starved.memory} MiB`
    : task.memory
      ? `the task's ${task.memory} MiB`
      : undefined;
  const who = isApp ? `The app (container ${starved.name})` : `The container ${starved.name}`;
  return {
    kind: 'crashed',
    summary: `${who} ran out of memory${limit ? ` (${limit})` : ''} and was stopped.`,
    hint: starved.memory
      ? `Raise the memory of container ${starved.name} (and the task's, if needed) in the base task definition.`
      : 'Raise the task memory in the base task definition.',
    unexpected: true,
  };
}
