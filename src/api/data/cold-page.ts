import type { AppContext } from '../../context.ts';
import { PERMISSION_FOR } from '../../domain/permissions.ts';
import { ApiError } from '../../errors/api-error.ts';
import type { EntityRow } from '../../store/schema.ts';
import { chunkedTransactionsPage, transactionsPageNow, type TransactionsPage } from '../../store/bank-data-reads.ts';
import { keysetNext, keysetPaging, MAX_PAGE, MAX_PAGE_SIZE, pageHeaders, type KeysetPaging } from '../pagination.ts';
import { etagOf } from './entity-access.ts';
import { cachedResponse, type CachedResponse } from './response-cache.ts';

/** `/data/v2/accounts/{account_id}/transactions` with an `account_id` that needs no percent-decoding, as the general path's schema takes it (1–64 characters). */
const TRANSACTIONS_PATH = /^\/data\/v2\/accounts\/([A-Za-z0-9._~-]{1,64})\/transactions$/;
/** The query values the general path's schema takes, written as it would write them back: no sign, no leading zero, no exponent. */
const PAGE_VALUE = /^(?:0|[1-9]\d{0,6})$/;
const SIZE_VALUE = /^[1-9]\d{0,3}$/;

/**
 * The paging of a transactions page's query, if it is one the general path would take as it is
 * and the fast path can answer: nothing but `page`, `size` and `cursor`, each at most once, written
 * plainly, within the schema's bounds (src/api/pagination.ts), not `page` and `cursor` together,
 * the cursor one openlean issued. Anything else (a date range, Lean's flags, `entity_id`, an
 * encoded character, a value to refuse) is undefined: the general path answers it, errors included.
 */
export function plainPaging(query: string): KeysetPaging | undefined {
  let page: number | undefined;
  let size: number | undefined;
  let cursor: string | undefined;
  if (query !== '') {
    for (const pair of query.split('&')) {
      const eq = pair.indexOf('=');
      const name = eq < 0 ? pair : pair.slice(0, eq);
      const value = eq < 0 ? '' : pair.slice(eq + 1);
      if (name === 'page' && page === undefined && PAGE_VALUE.test(value) && Number(value) <= MAX_PAGE) page = Number(value);
      else if (name === 'size' && size === undefined && SIZE_VALUE.test(value) && Number(value) <= MAX_PAGE_SIZE) size = Number(value);
      else if (name === 'cursor' && cursor === undefined && value !== '') cursor = value;
      else return undefined;
    }
  }
  try {
    return keysetPaging({ page, size, cursor });
  } catch (err) {
    // `page` with `cursor`, or a cursor openlean did not issue: the general path refuses it.
    if (err instanceof ApiError) return undefined;
    throw err;
  }
}

/** What a first read of a transactions page asks for, in the terms of the store's page query. */
export interface ColdPageRead {
  accountId: string;
  paging: KeysetPaging;
}

/**
 * What `url` asks of `entity`'s transactions, if it is a first read of a transactions page the
 * fast path can answer (src/api/data/cached-read.ts): `GET /data/v2/accounts/{account_id}/transactions`
 * with a query the general path takes as it is (`plainPaging`), by an entity with the transactions
 * permission. Undefined otherwise: the general path answers it.
 */
export function coldPageRead(entity: EntityRow, url: string): ColdPageRead | undefined {
  const q = url.indexOf('?');
  const match = TRANSACTIONS_PATH.exec(q < 0 ? url : url.slice(0, q));
  if (!match || !entity.permissions.includes(PERMISSION_FOR.transactions)) return undefined;
  const paging = plainPaging(q < 0 ? '' : url.slice(q + 1));
  return paging && { accountId: match[1]!, paging };
}

/**
 * The answer `GET url` (`read`, per `coldPageRead`) gives `entity`'s application, built from the
 * page the account's chunks hold (`found`; docs/decisions/024) with the general path's headers
 * (ETag, `x-total-count`, `Link`) and body, byte for byte. Undefined whenever the general path
 * might answer otherwise: the chunks could not answer (`found` undefined), no such account, or an
 * account without transactions (the general path then says whether they were ever fetched). The
 * caller has checked the token, tenancy and consent.
 */
export function coldPageResponse(ctx: AppContext, entity: EntityRow, url: string, read: ColdPageRead, found: TransactionsPage | undefined): CachedResponse | undefined {
  if (!found?.account || found.account.count === null || found.account.count === 0) return undefined;
  const total = found.account.count;
  const headers = pageHeaders(url, total, keysetNext(read.paging, found.found, found.last));
  const audited = { resource: 'transactions', operation: 'getTransactions', accountId: read.accountId } as const;
  // The chunks keep each row's length in bytes: the body need not be measured.
  return cachedResponse(ctx.responses.body(found.body ?? `[${found.json}]`), headers, etagOf(entity), audited, (found.bytes ?? Buffer.byteLength(found.json)) + 2);
}

/** `coldPageResponse` of the page read now, where the store reads synchronously (SQLite); else undefined. */
export function coldPageNow(ctx: AppContext, entity: EntityRow, url: string, read: ColdPageRead): CachedResponse | undefined {
  return coldPageResponse(ctx, entity, url, read, transactionsPageNow(ctx.store, entity.id, { accountId: read.accountId, ...read.paging }));
}

/** `coldPageResponse` of the page read through the store's asynchronous query (PostgreSQL). Throws what the store throws. */
export async function coldPageLater(ctx: AppContext, entity: EntityRow, url: string, read: ColdPageRead): Promise<CachedResponse | undefined> {
  return coldPageResponse(ctx, entity, url, read, await chunkedTransactionsPage(ctx.store, entity.id, { accountId: read.accountId, ...read.paging }));
}
