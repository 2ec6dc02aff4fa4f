import type { Gitlab } from '@gitbeaker/rest';
import { loadOnce } from '../core/load-once.js';
import type { GitLabSettings } from './settings.js';

export type GitLabApi = InstanceType<typeof Gitlab>;

/**
 * A gitbeaker client made on the first GitLab call: gitbeaker and its
 * requester take about 120 ms to load, which the bot's start-up does not need
 * to wait for (docs/performance.md). Every client goes through our requester
 * (requester.ts): gitbeaker's own retries 429 in milliseconds, ignoring Retry-After.
 */
export function lazyGitLabClient(settings: GitLabSettings): () => Promise<GitLabApi> {
  return loadOnce(() =>
    import('./requester.js').then(({ createGitLabClient }) => createGitLabClient(settings)),
  );
}

/**
 * gitbeaker's errors, told apart by the names its classes give them, so that
 * telling them apart does not load gitbeaker (an error from it means it is loaded).
 */
export const isGitbeakerRequestError = (
  error: unknown,
): error is Error & { cause?: { response?: { status?: number } } } =>
  error instanceof Error && error.name === 'GitbeakerRequestError';

export const isGitbeakerTimeoutError = (error: unknown): error is Error =>
  error instanceof Error && error.name === 'GitbeakerTimeoutError';

/** The HTTP status GitLab refused a request with, when it answered at all. */
export function requestStatus(error: unknown): number | undefined {
  return isGitbeakerRequestError(error) ? error.cause?.response?.status : undefined;
}
