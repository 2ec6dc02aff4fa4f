/**
 * How long GitLab asks to wait after a 429: its Retry-After header (seconds, or an HTTP
 * date), else its RateLimit-Reset (epoch seconds), which some 429s carry without
 * Retry-After (gitlab-org/gitlab issues 365728 and 199738). Undefined when neither is there.
 */
export function retryAfterMs(response: unknown, now: number): number | undefined {
  const headers = (response as { headers?: Headers } | undefined)?.headers;
  if (typeof headers?.get !== 'function') return undefined;
  const value = headers.get('retry-after')?.trim();
  if (value && /^\d+$/.test(value)) return Number(value) * 1000;
  const date = value ? Date.parse(value) : Number.NaN;
  if (!Number.isNaN(date)) return Math.max(0, date - now);
  const reset = headers.get('ratelimit-reset')?.trim();
  if (reset && /^\d+$/.test(reset)) return Math.max(0, Number(reset) * 1000 - now);
  return undefined;
}
