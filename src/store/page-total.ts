import { sql } from 'kysely';

/**
 * The column that gives each row of a page the count of every row its filter matches
 * (`count(*) over ()`, evaluated before `limit` and `offset`): a page and its total from one query,
 * so that they agree while rows are being written. Two queries, on two PostgreSQL connections,
 * could each see a different moment (a list of 1 with a total of 2).
 */
export const PAGE_TOTAL = sql<number | string>`count(*) over ()`.as('total');

/**
 * The rows of a page read with `PAGE_TOTAL`, without it, and the total. A page with no row to
 * carry the total is the first of none (0) or past the end, where `count` (the same filter,
 * counted) tells: an empty page has nothing for a count to disagree with.
 */
export async function pageAndTotal<R extends { total: number | string }>(
  found: readonly R[],
  offset: number,
  count: () => Promise<{ n: number | string }>,
): Promise<{ rows: Omit<R, 'total'>[]; total: number }> {
  const rows = found.map(({ total: _, ...row }) => row);
  if (found.length > 0) return { rows, total: Number(found[0]!.total) };
  return { rows, total: offset === 0 ? 0 : Number((await count()).n) };
}
