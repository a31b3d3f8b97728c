import Type from 'typebox';
import { decodeCursor, encodeCursor, type Position } from '../domain/cursor.ts';
import { ApiError } from '../errors/api-error.ts';

export const MAX_PAGE_SIZE = 1000;
export const DEFAULT_PAGE_SIZE = 50;
/** The highest 0-based `page` number the API takes. */
export const MAX_PAGE = 1_000_000;

/** Lean's v2 paging parameters: 0-based `page`, `size` up to 1000. */
export const PageParams = {
  page: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_PAGE, default: 0, description: '0-based page number' })),
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

/**
 * Paging parameters of the newest-first lists that also page by keyset cursor (transactions,
 * refreshes). No default `page`: its absence is what makes the `Link` header carry a cursor.
 */
export const KeysetPageParams = {
  page: Type.Optional(
    Type.Integer({ minimum: 0, maximum: MAX_PAGE, description: '0-based page number; the Link header then pages by number. Exclusive with `cursor`: both answer 400 `INVALID_PARAMETER`' }),
  ),
  size: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE, description: `Page size, 1–${MAX_PAGE_SIZE}` })),
  cursor: Type.Optional(
    Type.String({
      maxLength: 200,
      description:
        'Continue after the page that the `Link: rel="next"` header came with; exact even while new items arrive. Only a cursor this API issued (another answers 400 `INVALID_PARAMETER`); exclusive with `page`',
    }),
  ),
};

export interface KeysetPaging {
  size: number;
  /** Rows to skip (page paging; 0 with a cursor). */
  offset: number;
  /** Rows to fetch: one more than the page, to learn whether there is a next page. */
  limit: number;
  page?: number;
  after?: Position;
}

/** Reads `page`/`size`/`cursor`; 400 naming `cursor` when both are given or it is not one of ours. */
export function keysetPaging(q: { page?: number; size?: number; cursor?: string }): KeysetPaging {
  const size = q.size ?? DEFAULT_PAGE_SIZE;
  if (q.cursor === undefined) return { size, offset: (q.page ?? 0) * size, limit: size + 1, ...(q.page === undefined ? {} : { page: q.page }) };
  if (q.page !== undefined) throw new ApiError('INVALID_PARAMETER', 'Give either "page" or "cursor", not both', { param: 'cursor' });
  const after = decodeCursor(q.cursor);
  if (!after) throw new ApiError('INVALID_PARAMETER', 'The query parameter "cursor" is not a cursor this API issued', { param: 'cursor' });
  return { size, offset: 0, limit: size + 1, after };
}

/**
 * The page out of the `limit` rows fetched, and what the `Link: rel="next"` continues with: the
 * next page number when paging by number, else a cursor after the page's last row.
 */
export function keysetPage<T>(paging: KeysetPaging, rows: T[], positionOf: (row: T) => Position): { page: T[]; next: Record<string, string> | null } {
  const page = rows.slice(0, paging.size);
  const last = page.at(-1);
  return { page, next: keysetNext(paging, rows.length, last === undefined ? null : positionOf(last)) };
}

/**
 * What the `Link: rel="next"` of a page continues with, when the query found `found` of its
 * `limit` rows (more than `size`: there is a next page) and `last` is the position of the page's
 * last row: the next page number when paging by number, else a cursor after `last`; null on the
 * last page.
 */
export function keysetNext(paging: KeysetPaging, found: number, last: Position | null): Record<string, string> | null {
  if (found <= paging.size || last === null) return null;
  const size = String(paging.size);
  return paging.page !== undefined ? { page: String(paging.page + 1), size } : { cursor: encodeCursor(last), size };
}
