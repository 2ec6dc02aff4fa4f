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

const ORDERABLE = new Set(['created_at', 'updated_at', 'title', 'merged_at']);

/** The filters of `GET /projects/:id/merge_requests` that a bot would use. */
export function filterMergeRequests<T extends Omit<GitLabMergeRequest, 'head_pipeline'>>(
  list: T[],
  query: URLSearchParams,
): T[] {
  const state = query.get('state') ?? 'all';
  const search = query.get('search')?.toLowerCase();
  const searchIn = (query.get('in') ?? 'title,description').split(',');
  const iids = query.getAll('iids[]').map(Number);
  const sourceBranch = query.get('source_branch');
  const targetBranch = query.get('target_branch');
  const author = query.get('author_username');
  const orderBy = ORDERABLE.has(query.get('order_by') ?? '') ? query.get('order_by') : 'created_at';
  const direction = query.get('sort') === 'asc' ? 1 : -1;

  const filtered = list.filter(
    (mr) =>
      (state === 'all' || mr.state === state) &&
      (!search ||
        (searchIn.includes('title') && mr.title.toLowerCase().includes(search)) ||
        (searchIn.includes('description') && mr.description.toLowerCase().includes(search))) &&
      (iids.length === 0 || iids.includes(mr.iid)) &&
      (!sourceBranch || mr.source_branch === sourceBranch) &&
      (!targetBranch || mr.target_branch === targetBranch) &&
      (!author || mr.author.username === author),
  );
  const key = (mr: T) =>
    orderBy === 'title' ? mr.title : String(mr[orderBy as 'created_at'] ?? '');
  return filtered.sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    if (ka !== kb) return (ka < kb ? -1 : 1) * direction;
    return (a.id - b.id) * direction;
  });
}
