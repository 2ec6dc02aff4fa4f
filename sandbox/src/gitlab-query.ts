import type { GitLabMergeRequest } from './gitlab-types.js';
import type { RecordedRequest } from './http.js';

/** Request reading for the GitLab stand-in: authentication, body fields, MR list filters. */

export function authorised(request: RecordedRequest, token: string): boolean {
  const header = request.headers['private-token'];
  if (header !== undefined) return header === token;
  const bearer = request.headers.authorization;
  return bearer === `Bearer ${token}`;
}

/** A field from a JSON or form body, or the query string (GitLab accepts all three). */
export function readField(request: RecordedRequest, name: string): string | undefined {
  const type = String(request.headers['content-type'] ?? '');
  if (type.includes('application/json') && request.body) {
    try {
      const value = (JSON.parse(request.body) as Record<string, unknown>)[name];
      if (typeof value === 'string') return value;
    } catch {
      return undefined;
    }
  }
  if (type.includes('application/x-www-form-urlencoded')) {
    const value = new URLSearchParams(request.body).get(name);
    if (value !== null) return value;
  }
  return request.query.get(name) ?? undefined;
}

/** The filters of `GET /projects/:id/merge_requests` the bot sends: state, iids[], order. */
export function filterMergeRequests<T extends Omit<GitLabMergeRequest, 'head_pipeline'>>(
  list: T[],
  query: URLSearchParams,
): T[] {
  const state = query.get('state') ?? 'all';
  const iids = query.getAll('iids[]').map(Number);
  const orderBy = query.get('order_by') === 'updated_at' ? 'updated_at' : 'created_at';
  const direction = query.get('sort') === 'asc' ? 1 : -1;

  const filtered = list.filter(
    (mr) => (state === 'all' || mr.state === state) && (iids.length === 0 || iids.includes(mr.iid)),
  );
  return filtered.sort((a, b) => {
    const ka = a[orderBy];
    const kb = b[orderBy];
    if (ka !== kb) return (ka < kb ? -1 : 1) * direction;
    return (a.id - b.id) * direction;
  });
}
