import type { StopExplanation } from './diagnosis.js';
import type { RouteHealth } from './ports.js';
import type { MergeRequest, Pipeline, ReviewApp, TaskInfo } from './types.js';

/**
 * Every error the program raises on purpose carries a stable `code`; callers
 * switch on the code, never on the message. The message is written for the
 * person who will read it (a Slack user or a CI log) and says what to do next;
 * advice that fits only one reader (the asker or the operator) is in `hint`. What
 * else a caller may need is in `details`, typed per code.
 */
export interface ErrorDetails {
  BAD_MR_REFERENCE: Record<string, never>;
  /** The project named, or the MR URL's project, is not one the bot serves; `served` are. */
  UNKNOWN_PROJECT: { served: string[] };
  MR_NOT_FOUND: { status?: number };
  /** GITLAB_PROJECT names no project the token can see. */
  PROJECT_NOT_FOUND: { status?: number };
  /** The registry repository images are pushed to is not there; `available` are. */
  REGISTRY_NOT_FOUND: { wanted: string; available: string[] };
  MR_NOT_OPEN: { mr: MergeRequest };
  IMAGE_NOT_BUILT: NoImageDetails;
  PIPELINE_FAILED: NoImageDetails;
  NO_PIPELINE: NoImageDetails;
  GITLAB_UNAVAILABLE: { status?: number };
  GITLAB_UNAUTHORIZED: { status?: number };
  /** `container`: the container definition that needs a change, when one does. */
  TASK_DEFINITION_INVALID: { container?: string | undefined };
  AWS_ACCESS_DENIED: AwsDetails;
  AWS_ERROR: AwsDetails;
  /** No answer from AWS at all: name resolution, connection or socket failed. */
  AWS_UNREACHABLE: AwsDetails;
  RUN_TASK_FAILED: { failures: { reason?: string; detail?: string }[] };
  TASK_STOPPED: { explanation: StopExplanation; task: TaskInfo };
  LAUNCH_TIMEOUT: { task: TaskInfo };
  ALREADY_RUNNING: { app: ReviewApp };
  NOT_RUNNING: Record<string, never>;
  LIMIT_REACHED: { apps: ReviewApp[]; limit: 'total' | 'user' };
  CAP_REACHED: { app: ReviewApp };
  /** `npm start` with nothing configured, where the sandbox package is not installed. */
  SANDBOX_UNAVAILABLE: Record<string, never>;
  /** The sandbox page's port is taken. */
  PORT_IN_USE: { port: number };
  /** A deployment mistake found at start: the variable or port to fix. */
  SETUP_INVALID: { variable?: string; port?: number };
  /** The shared load balancer has no room for one more app's rule or target group. */
  ROUTES_FULL: { limit: 'rules' | 'target-groups'; used: number; max: number };
  /** The app runs but never passed the load balancer's health checks; its task was stopped. */
  APP_UNHEALTHY: { task: TaskInfo; health: RouteHealth };
  /** The AWS SDK found no credentials anywhere in its chain. */
  AWS_NO_CREDENTIALS: AwsDetails;
}

export type ErrorCode = keyof ErrorDetails;

interface NoImageDetails {
  mr: MergeRequest;
  pipeline: Pipeline | null;
  /** The registry tags looked for (none with IMAGE_TEMPLATE). */
  candidates?: string[] | undefined;
}

interface AwsDetails {
  /** The IAM action, e.g. ecs:RunTask. */
  action?: string;
  /** The SDK's error name. */
  awsError?: string;
}

/**
 * Advice written where the error is raised, because only there is the cause known: one
 * code may be raised for causes with different fixes (GITLAB_UNAUTHORIZED: a refused token,
 * or a fork's registry the token may not read). Each surface shows what fits its reader.
 */
export interface ErrorHint {
  /** For whoever asked (a Slack user, the CLI's reader): what they can do themselves. */
  person?: string;
  /**
   * What the team running the bot must fix. The raise site logs it; Slack users hear that
   * the operator was told; the CLI, whose reader runs the bot, prints it.
   */
  operator?: string;
}

export interface ReviewAppErrorOptions extends ErrorOptions {
  hint?: ErrorHint;
}

/** Codes whose details are all optional may leave them out. */
type DetailsArgs<C extends ErrorCode> =
  Record<string, never> extends ErrorDetails[C]
    ? [details?: ErrorDetails[C], options?: ReviewAppErrorOptions]
    : [details: ErrorDetails[C], options?: ReviewAppErrorOptions];

export class ReviewAppError<C extends ErrorCode = ErrorCode> extends Error {
  readonly code: C;
  readonly details: ErrorDetails[C];
  readonly hint: ErrorHint;

  constructor(code: C, message: string, ...[details, options]: DetailsArgs<C>) {
    const { hint, ...errorOptions } = options ?? {};
    super(message, errorOptions);
    this.name = 'ReviewAppError';
    this.code = code;
    this.details = (details ?? {}) as ErrorDetails[C];
    this.hint = hint ?? {};
  }
}

/**
 * The error as the operator reads it (the CLI, doctor): the message, then the advice
 * for whoever asked and the operator's fix, as the raise site wrote them.
 */
export function operatorText(error: ReviewAppError): string {
  return [error.message, error.hint.person, error.hint.operator].filter(Boolean).join(' ');
}

export function isReviewAppError<C extends ErrorCode = ErrorCode>(
  error: unknown,
  code?: C,
): error is ReviewAppError<C> {
  return error instanceof ReviewAppError && (code === undefined || error.code === code);
}
