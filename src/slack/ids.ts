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
} as const;

/**
 * A button's action_id: its action and its MR (`review_app_stop:42`). Slack
 * refuses a message whose block holds two elements with one action_id
 * (`invalid_blocks`), and one block may hold the same action for several MRs
 * (the Stop buttons of a limit refusal). Only the value is read back.
 */
export function buttonActionId(action: string, mr: number): string {
  return `${action}:${mr}`;
}

/** Every button of `action`, whatever its MR; bare ids too, as messages posted before carry them. */
export function actionPattern(action: string): RegExp {
  return new RegExp(`^${action}(:\\d+)?$`);
}

export const VIEWS = {
  launch: 'review_app_launch_modal',
} as const;

export const BLOCKS = {
  pickMr: 'review_app_mr_block',
} as const;

/** What a button carries. It is never trusted: the MR is read and checked again. */
export interface ButtonValue {
  mr: number;
}

export function buttonValue(mr: number): string {
  return JSON.stringify({ mr } satisfies ButtonValue);
}

export function readButtonValue(value: string | undefined): number | undefined {
  try {
    const parsed = JSON.parse(value ?? '') as Partial<ButtonValue>;
    return Number.isSafeInteger(parsed.mr) && (parsed.mr as number) > 0 ? parsed.mr : undefined;
  } catch {
    return undefined;
  }
}
