import type { GitLabMergeRequest } from './gitlab-types.js';
import { type HttpReply, json, type RecordedRequest } from './http.js';

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

/**
 * `GET /projects/:id/merge_requests` (docs.gitlab.com/api/merge_requests, List project merge
 * requests): the stand-in applies the filters the bot sends, as documented: `state`
 * (opened, closed, locked, merged; all by default), `iids[]`, `order_by` (created_at by
 * default, updated_at, title), `sort` (desc by default, asc), and the pagination `page`
 * and `per_page`. A value outside those is answered as Grape answers it: 400
 * `{"error":"<name> does not have a valid value"}`. GitLab documents other filters
 * (labels, author_id, search, ...) that the stand-in does not apply: they are refused the
 * same way rather than ignored, so that a list the bot narrows is never answered whole.
 */
const MR_LIST_VALUES: Record<string, Set<string> | 'integer' | 'integers'> = {
  state: new Set(['opened', 'closed', 'locked', 'merged', 'all']),
  order_by: new Set(['created_at', 'updated_at', 'title']),
  sort: new Set(['asc', 'desc']),
  'iids[]': 'integers',
  page: 'integer',
  per_page: 'integer',
};

export function mergeRequestListRefusal(query: URLSearchParams): HttpReply | undefined {
  for (const name of new Set(query.keys())) {
    const allowed = MR_LIST_VALUES[name];
    const values = query.getAll(name);
    const valid =
      allowed === undefined
        ? false
        : allowed === 'integer' || allowed === 'integers'
          ? values.every((value) => /^\d+$/.test(value)) &&
            (allowed === 'integers' || values.length === 1)
          : values.length === 1 && allowed.has(values[0] ?? '');
    if (valid) continue;
    return allowed === undefined
      ? json(400, { error: `${name} is not a filter the GitLab stand-in applies` })
      : json(400, { error: `${name.replace('[]', '')} does not have a valid value` });
  }
  return undefined;
}

/** Applies the filters `mergeRequestListRefusal` accepts. */
export function filterMergeRequests<T extends Omit<GitLabMergeRequest, 'head_pipeline'>>(
  list: T[],
  query: URLSearchParams,
): T[] {
  const state = query.get('state') ?? 'all';
  const iids = query.getAll('iids[]').map(Number);
  const orderBy = (query.get('order_by') ?? 'created_at') as 'created_at' | 'updated_at' | 'title';
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
