import { createHash } from 'node:crypto';

/** Every id Slack sends back to us, in one place. */
export const COMMAND = '/review-app';

export const ACTIONS = {
  open: 'review_app_open',
  extend: 'review_app_extend',
  relaunch: 'review_app_relaunch',
  /** Launch again after a failure or an end, without replacing what may run meanwhile. */
  retry: 'review_app_retry',
  stop: 'review_app_stop',
  /** Stop an app someone else launched, after being asked. */
  stopAnyway: 'review_app_stop_anyway',
  logs: 'review_app_logs',
  pickMr: 'review_app_pick_mr',
  /** The modal's project choice, with several projects. */
  pickProject: 'review_app_pick_project',
} as const;

/** What a button acts on: an MR, and the project it belongs to (as the app's tags name it). */
export interface ButtonTarget {
  mr: number;
  project?: string | undefined;
}

/**
 * A button's action_id: its action, its MR, and a short digest of its project
 * (`review_app_stop:42:1a2b3c4d`). Slack refuses a message whose block holds two
 * elements with one action_id (`invalid_blocks`), and one block may hold the same
 * action for several MRs, of several projects (the Stop buttons of a limit refusal,
 * the choice of a project). A project path may be long (255 characters, like an
 * action_id), hence the digest. Only the value is read back.
 */
export function buttonActionId(action: string, target: ButtonTarget | number): string {
  const { mr, project } = typeof target === 'number' ? { mr: target, project: undefined } : target;
  return project === undefined ? `${action}:${mr}` : `${action}:${mr}:${digest(project)}`;
}

/** A short, stable digest of a project path, for ids that must differ per project. */
export function digest(project: string): string {
  return createHash('sha256').update(project.toLowerCase()).digest('hex').slice(0, 8);
}

/** Every button of `action`, whatever its MR and project; bare ids too, as messages posted before carry them. */
export function actionPattern(action: string): RegExp {
  return new RegExp(`^${action}(:\\d+(:[0-9a-f]{8})?)?$`);
}

export const VIEWS = {
  launch: 'review_app_launch_modal',
} as const;

export const BLOCKS = {
  pickMr: 'review_app_mr_block',
  pickProject: 'review_app_project_block',
} as const;

/**
 * What a button carries. It is never trusted: the MR is read and checked again, and
 * the project must be one the bot serves. Buttons posted before the bot served
 * several projects carry the MR alone.
 */
export function buttonValue(target: ButtonTarget | number): string {
  const { mr, project } = typeof target === 'number' ? { mr: target, project: undefined } : target;
  return JSON.stringify(project === undefined ? { mr } : { mr, project });
}

export function readButtonValue(value: string | undefined): ButtonTarget | undefined {
  try {
    const parsed = JSON.parse(value ?? '') as { mr?: unknown; project?: unknown };
    if (!Number.isSafeInteger(parsed.mr) || (parsed.mr as number) < 1) return undefined;
    const mr = parsed.mr as number;
    if (parsed.project === undefined) return { mr };
    return typeof parsed.project === 'string' && parsed.project.length > 0
      ? { mr, project: parsed.project }
      : undefined;
  } catch {
    return undefined;
  }
}
