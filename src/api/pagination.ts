import Type from 'typebox';

export const MAX_PAGE_SIZE = 1000;
export const DEFAULT_PAGE_SIZE = 50;

/** Lean's v2 paging parameters: 0-based `page`, `size` up to 1000. */
export const PageParams = {
  page: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0, description: '0-based page number' })),
  size: Type.Optional(
    Type.Integer({ minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE, description: `Page size, 1–${MAX_PAGE_SIZE}` }),
  ),
};

/** Headers every paginated list answers with. */
export const PageHeaders = {
  'x-total-count': { type: 'integer', description: 'Number of items matching the query, over all pages' },
  link: { type: 'string', description: 'RFC 8288 link to the next page (`rel="next"`), absent on the last page' },
};

/**
 * `X-Total-Count` and, when there is a next page, an RFC 8288 `Link: <…>; rel="next"` built from
 * the request's own path and query with `next` applied (a cursor, or the next page number).
 */
export function pageHeaders(url: string, total: number, next: Record<string, string | undefined> | null): Record<string, string> {
  const headers: Record<string, string> = { 'x-total-count': String(total) };
  if (!next) return headers;
  const [path, query = ''] = url.split('?', 2);
  const params = new URLSearchParams(query);
  for (const [k, v] of Object.entries(next)) {
    if (v === undefined) params.delete(k);
    else params.set(k, v);
  }
  headers.link = `<${path}?${params.toString()}>; rel="next"`;
  return headers;
}
