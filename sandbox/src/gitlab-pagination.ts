import { type HttpReply, json } from './http.js';

/** Largest `per_page` GitLab honours. */
const MAX_PER_PAGE = 100;

/**
 * Answers a list the way GitLab's offset pagination does: `per_page` (default
 * 20, at most 100) and `page` (default 1) select the slice, and the `x-*`
 * headers plus a `link` header (`rel="next"` etc., carrying every original
 * query parameter) describe the rest. gitbeaker's `.all()` follows `rel="next"`.
 */
export function paginated(
  items: readonly unknown[],
  request: { baseUrl: string; path: string; query: URLSearchParams },
): HttpReply {
  const perPage = clampInt(request.query.get('per_page'), 20, 1, MAX_PER_PAGE);
  const page = clampInt(request.query.get('page'), 1, 1, Number.MAX_SAFE_INTEGER);
  const total = items.length;
  const totalPages = Math.max(1, Math.ceil(total / perPage));
  const slice = items.slice((page - 1) * perPage, page * perPage);

  const pageUrl = (n: number) => {
    const query = new URLSearchParams(request.query);
    query.set('page', String(n));
    query.set('per_page', String(perPage));
    return `${request.baseUrl}${request.path}?${query.toString()}`;
  };
  const links: string[] = [];
  if (page > 1) links.push(`<${pageUrl(Math.min(page - 1, totalPages))}>; rel="prev"`);
  if (page < totalPages) links.push(`<${pageUrl(page + 1)}>; rel="next"`);
  links.push(`<${pageUrl(1)}>; rel="first"`);
  links.push(`<${pageUrl(totalPages)}>; rel="last"`);

  return json(200, slice, {
    'x-total': String(total),
    'x-total-pages': String(totalPages),
    'x-page': String(page),
    'x-per-page': String(perPage),
    'x-next-page': page < totalPages ? String(page + 1) : '',
    'x-prev-page': page > 1 ? String(page - 1) : '',
    link: links.join(', '),
  });
}

function clampInt(raw: string | null, fallback: number, min: number, max: number): number {
  if (raw === null || raw.trim() === '') return fallback;
  const value = Number.parseInt(raw, 10);
  if (!Number.isFinite(value) || value < min) return fallback;
  return Math.min(value, max);
}
