/**
 * Every error the program raises on purpose carries a stable `code`; callers
 * switch on the code, never on the message. The message is written for the
 * person who will read it (a Slack user or a CI log) and says what to do next.
 */
export type ErrorCode =
  | 'CONFIG_INVALID'
  | 'BAD_MR_REFERENCE'
  | 'MR_NOT_FOUND'
  | 'MR_NOT_OPEN'
  | 'IMAGE_NOT_BUILT'
  | 'PIPELINE_FAILED'
  | 'NO_PIPELINE'
  | 'GITLAB_UNAVAILABLE'
  | 'GITLAB_UNAUTHORIZED'
  | 'TASK_DEFINITION_INVALID'
  | 'AWS_ACCESS_DENIED'
  | 'AWS_ERROR'
  | 'RUN_TASK_FAILED'
  | 'TASK_STOPPED'
  | 'LAUNCH_TIMEOUT'
  | 'ALREADY_RUNNING'
  | 'NOT_RUNNING'
  | 'NOT_ALLOWED'
  | 'LIMIT_REACHED'
  | 'CAP_REACHED';

export class ReviewAppError extends Error {
  readonly code: ErrorCode;
  /** Extra facts for the caller (e.g. the running app for ALREADY_RUNNING). */
  readonly details: Record<string, unknown>;

  constructor(
    code: ErrorCode,
    message: string,
    details: Record<string, unknown> = {},
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'ReviewAppError';
    this.code = code;
    this.details = details;
  }
}

export function isReviewAppError(error: unknown, code?: ErrorCode): error is ReviewAppError {
  return error instanceof ReviewAppError && (code === undefined || error.code === code);
}
