import type { TaskInfo } from './types.js';

/** The name of the essential container that ends the task at its hard cap. */
export const GUARD_CONTAINER = 'review-app-lifetime';
/** Every StopTask the bot makes starts its reason with this, so stops can be told apart. */
export const STOP_REASON_PREFIX = 'review-app-bot: ';

export type StopKind =
  | 'expired'
  | 'hard-cap'
  | 'stopped-by-user'
  | 'relaunched'
  | 'crashed'
  | 'failed-to-start'
  | 'spot-interrupted'
  | 'stopped-outside';

export interface StopExplanation {
  kind: StopKind;
  /** One sentence for people, Slack-neutral (no markup). */
  summary: string;
  /** What usually causes it and what to do, when there is something to say. */
  hint?: string;
  /** Whether the channel should hear of it (stops nobody asked for). */
  unexpected: boolean;
}

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

/** How a person is named in stop reasons: Slack ids are shown as mentions by the Slack layer. */
export function actorName(id: string, source: 'slack' | 'cli'): string {
  return source === 'slack' ? `${id} via Slack` : `${id} (CLI)`;
}

export function stopReasonFor(
  kind: 'expired' | 'stopped' | 'relaunched' | 'timeout' | 'failed',
  who?: string,
): string {
  const text = {
    expired: 'expired at its deadline',
    stopped: `stopped by ${who ?? 'someone'}`,
    relaunched: `relaunched by ${who ?? 'someone'}`,
    timeout: 'did not start in time',
    failed: 'launch failed',
  }[kind];
  // StopTask reasons may be up to 255 characters.
  return `${STOP_REASON_PREFIX}${text}`.slice(0, 255);
}

/** Why a stopped task stopped, in words a reviewer understands. */
export function explainStop(
  task: TaskInfo,
  options: { mode?: 'container' | 'command' } = {},
): StopExplanation {
  const reason = task.stoppedReason ?? '';
  if (reason.startsWith(STOP_REASON_PREFIX)) {
    const text = reason.slice(STOP_REASON_PREFIX.length);
    if (text.startsWith('expired')) {
      return {
        kind: 'expired',
        summary: 'The review app expired and was stopped.',
        unexpected: true,
      };
    }
    if (text.startsWith('relaunched')) {
      return { kind: 'relaunched', summary: `The review app was ${text}.`, unexpected: false };
    }
    if (text.startsWith('launch failed')) {
      return {
        kind: 'failed-to-start',
        summary: 'The launch failed and the task was stopped.',
        unexpected: true,
      };
    }
    if (text.startsWith('did not start')) {
      return {
        kind: 'failed-to-start',
        summary: 'The review app did not start in time and was stopped.',
        hint: 'The task stayed pending: check the task in the ECS console for capacity or networking problems.',
        unexpected: true,
      };
    }
    return { kind: 'stopped-by-user', summary: `The review app was ${text}.`, unexpected: false };
  }

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
