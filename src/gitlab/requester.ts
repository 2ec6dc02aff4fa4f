import {
  createRequesterFn,
  GitbeakerRequestError,
  GitbeakerTimeoutError,
  getMatchingRateLimiter,
} from '@gitbeaker/requester-utils';
import { Gitlab } from '@gitbeaker/rest';
import type { GitLabSettings } from './settings.js';

/**
 * gitbeaker's requester with its retry taken out. gitbeaker 43 retries 429 and 502 ten times
 * within about a quarter second and ignores Retry-After (gitbeaker issue 3805), and its
 * retry cannot be configured or turned off (issue 3630). One request per call here; the
 * GitLab source waits as long as GitLab asks, within a bound (see GitLabSource).
 */
type RequestOptions = Record<string, unknown> & {
  rateLimiters?: Record<string, unknown>;
  asStream?: boolean;
  prefixUrl?: string;
  searchParams?: string;
  method?: string;
};

async function handle(endpoint: string, options: RequestOptions = {}) {
  const {
    rateLimiters,
    agent: _agent,
    asStream,
    prefixUrl,
    searchParams,
    method,
    ...rest
  } = options;
  const rateLimit = getMatchingRateLimiter(endpoint, rateLimiters as never, method);
  const base = prefixUrl?.endsWith('/') ? prefixUrl : `${prefixUrl ?? ''}/`;
  const url = new URL(endpoint, base);
  url.search = searchParams ?? '';
  const request = new Request(url, { ...(rest as RequestInit), ...(method ? { method } : {}) });
  await rateLimit();
  const response = await fetch(request).catch((error: Error) => {
    if (error.name === 'TimeoutError' || error.name === 'AbortError') {
      throw new GitbeakerTimeoutError('Query timeout was reached');
    }
    throw error;
  });
  if (!response.ok) {
    const description = describe(
      await response.text().catch(() => ''),
      response.headers.get('content-type'),
    );
    throw new GitbeakerRequestError(description, {
      cause: { description, request, response },
    });
  }
  const headers = Object.fromEntries(response.headers.entries());
  const body = asStream ? response.body : response.status === 204 ? null : await read(response);
  return { body, headers, status: response.status };
}

/** GitLab's error text, as gitbeaker gives it: `error` or `message` of a JSON body. */
function describe(content: string, contentType: string | null): string {
  if (!contentType?.includes('application/json')) return content;
  try {
    const output = JSON.parse(content) as { error?: unknown; message?: unknown } | null;
    const text = output?.error || output?.message || '';
    return typeof text === 'string' ? text : JSON.stringify(text);
  } catch {
    return content;
  }
}

async function read(response: Response): Promise<unknown> {
  const type = (response.headers.get('content-type') ?? '').split(';')[0]?.trim() ?? '';
  if (type === 'application/json') return (await response.json()) || {};
  if (type.startsWith('text/')) return (await response.text()) || '';
  return response.blob();
}

const requesterWithoutRetry = createRequesterFn(
  (_, options) => Promise.resolve(options),
  handle as never,
);

/** The one way to make a gitbeaker client here: every GitLab call goes through the requester above. */
export function createGitLabClient(settings: GitLabSettings): InstanceType<typeof Gitlab> {
  return new Gitlab({
    host: settings.url,
    token: settings.token,
    queryTimeout: settings.timeoutMs,
    requesterFn: requesterWithoutRetry,
  });
}
