import { explainOwnStop, type StopExplanation } from '../core/diagnosis.js';
import type { TaskInfo } from '../core/types.js';
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

/** Why a stopped ECS task stopped, in words a reviewer understands. */
export function explainStop(
  task: TaskInfo,
  options: { mode?: GuardSettings['mode'] } = {},
): StopExplanation {
  const own = explainOwnStop(task.stoppedReason);
  if (own) return own;
  const reason = task.stoppedReason ?? '';
  const guard = task.containers.find((c) => c.name === GUARD_CONTAINER);
  const app = task.containers.find((c) => c.name !== GUARD_CONTAINER && c.exitCode !== undefined);
  if (task.stopCode === 'EssentialContainerExited') {
    if (guard?.exitCode === 0 || (options.mode === 'command' && app?.exitCode === 124)) {
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
