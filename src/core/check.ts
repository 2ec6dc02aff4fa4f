import { isReviewAppError, operatorText } from './errors.js';

/**
 * One line of `review-app doctor`: what was checked, whether it holds, and
 * what was found (when it holds) or what to fix (when it does not).
 */
export interface CheckResult {
  name: string;
  ok: boolean;
  detail: string;
}

export const passed = (name: string, detail: string): CheckResult => ({ name, ok: true, detail });
export const failed = (name: string, detail: string): CheckResult => ({ name, ok: false, detail });

/** A check that threw: its error says the fix (errors raised on purpose say what to do). */
export function failedWith(name: string, error: unknown): CheckResult {
  if (isReviewAppError(error)) return failed(name, operatorText(error));
  return failed(name, error instanceof Error ? error.message : String(error));
}
