import type { z } from 'zod';
import { type Clock, systemClock } from '../core/clock.js';
import { ReviewAppError } from '../core/errors.js';
import { type Logger, silentLogger } from '../core/logger.js';
import {
  type GitLabApi,
  isGitbeakerRequestError,
  isGitbeakerTimeoutError,
  lazyGitLabClient,
  requestStatus,
} from './client.js';
import { retryAfterMs } from './retry-after.js';
import type { GitLabSettings } from './settings.js';

/** How long a call may wait out GitLab's rate limit, altogether, before giving up. */
const RATE_LIMIT_WAIT_MS = 20_000;

/**
 * The one way the bot calls GitLab: one gitbeaker client (made on first use) for every
 * adapter, each call waiting out a 429 as long as GitLab asks (within a bound), and every
 * failure worded for the people and operators who read it.
 */
export class GitLabCalls {
  readonly api: () => Promise<GitLabApi>;

  constructor(
    readonly config: GitLabSettings,
    private readonly logger: Logger = silentLogger,
    private readonly clock: Clock = systemClock,
  ) {
    this.api = lazyGitLabClient(config);
  }

  /**
   * Run one GitLab call; its failures become errors users and operators can act on. A 429
   * is tried again after GitLab's Retry-After when that fits in `maxWaitMs` altogether.
   * `refused` words a 401, 403 or 404 where the caller knows its cause better (undefined: the usual words).
   */
  async call<T>(
    what: string,
    request: () => Promise<T>,
    {
      maxWaitMs = RATE_LIMIT_WAIT_MS,
      refused,
    }: { maxWaitMs?: number; refused?: (status: number) => ReviewAppError | undefined } = {},
  ): Promise<T> {
    let waited = 0;
    for (;;) {
      try {
        return await request();
      } catch (error) {
        const wait = this.rateLimitWait(error);
        if (wait !== undefined && waited + wait <= maxWaitMs) {
          this.logger.warn('GitLab rate limit: waiting as asked', { what, waitMs: wait });
          waited += wait;
          await this.clock.sleep(wait);
          continue;
        }
        const status = requestStatus(error);
        const worded =
          status === 401 || status === 403 || status === 404 ? refused?.(status) : undefined;
        if (worded) throw worded;
        throw this.translate(error, what);
      }
    }
  }

  /** How long a 429 asks to wait (one second when it does not say), or undefined for other errors. */
  private rateLimitWait(error: unknown): number | undefined {
    if (!isGitbeakerRequestError(error)) return undefined;
    const response = (error.cause as { response?: { status?: number } } | undefined)?.response;
    if (response?.status !== 429) return undefined;
    return retryAfterMs(response, this.clock.now()) ?? 1_000;
  }

  private translate(error: unknown, what: string): ReviewAppError {
    if (isGitbeakerRequestError(error)) {
      const status = requestStatus(error);
      if (status === 429) {
        const asked = retryAfterMs(
          (error.cause as { response?: unknown }).response,
          this.clock.now(),
        );
        const seconds = Math.ceil((asked ?? 0) / 1000);
        const when =
          asked === undefined ? 'a minute' : seconds <= 1 ? 'a second' : `${seconds} seconds`;
        return new ReviewAppError(
          'GITLAB_UNAVAILABLE',
          `GitLab is rate limiting the bot's requests (for ${what}). Try again in ${when}.`,
          { status },
        );
      }
      // GitLab says which thing is missing: "404 Project Not Found" is the project itself
      // (or one the token may not see), never the merge request asked about.
      if (status === 404 && /project not found/i.test(error.message)) {
        this.logger.error('GitLab has no such project', {
          project: this.config.project,
          hint: 'GITLAB_PROJECT must be the id or path of a project the token can read',
        });
        return new ReviewAppError(
          'PROJECT_NOT_FOUND',
          `GitLab has no project ${this.config.project} that the bot's token can see: GITLAB_PROJECT must be its id or path (such as acme/shop), and the token's user a member of it.`,
          { status },
        );
      }
      if (status === 404) {
        return new ReviewAppError(
          'MR_NOT_FOUND',
          `GitLab has no ${what} in ${this.config.project}.`,
          { status },
        );
      }
      if (status === 401 || status === 403) {
        const operator =
          'Check GITLAB_TOKEN: it must be a valid token with the read_api and read_registry scopes.';
        this.logger.error('GitLab refused the token', { status, hint: operator });
        return new ReviewAppError(
          'GITLAB_UNAUTHORIZED',
          'GitLab refused the bot’s access token, so nothing can be looked up right now.',
          { status },
          { hint: { operator } },
        );
      }
      return new ReviewAppError(
        'GITLAB_UNAVAILABLE',
        `GitLab could not answer for ${what} (HTTP ${status ?? '?'}). Try again in a minute.`,
        { status },
      );
    }
    if (isGitbeakerTimeoutError(error)) {
      return new ReviewAppError(
        'GITLAB_UNAVAILABLE',
        `GitLab did not answer in time for ${what}. Try again in a minute.`,
      );
    }
    if (error instanceof ReviewAppError) return error;
    this.logger.error('GitLab request failed', { what, error });
    return new ReviewAppError(
      'GITLAB_UNAVAILABLE',
      `GitLab could not be reached for ${what}. Try again in a minute.`,
    );
  }
}

/** A GitLab answer checked against what the bot reads of it. */
export function parse<T extends z.ZodType>(schema: T, value: unknown, what: string): z.output<T> {
  const result = schema.safeParse(value);
  if (!result.success) {
    // Which fields were off goes with the cause, for the log; the user hears the short story.
    throw new ReviewAppError(
      'GITLAB_UNAVAILABLE',
      `GitLab answered with an unexpected ${what}.`,
      {},
      { cause: result.error.issues.slice(0, 3) },
    );
  }
  return result.data;
}
