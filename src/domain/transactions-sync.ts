/**
 * The transactions sync feed's cursor and paging rules (docs/decisions/012). Every write of an
 * account's transactions is one step of the account's change sequence. A change is an entry at an
 * immutable position (seq, transaction id) in one of three streams: `added` (a row, at the step
 * that created it), `modified` (a row, at the last step that changed it: a later change moves it
 * forward, never back) and `removed` (a tombstone, at the step that removed it). A page is the
 * streams merged in position order after the cursor, so a write during paging can add entries
 * only after every position already handed out: none is lost or handed out twice.
 */

export interface SyncCursor {
  account_id: string;
  /**
   * The sequence number the client's copy was complete at when this round of paging began (-1
   * for a client with nothing): rows created after it are ones the client did not have then.
   */
  since: number;
  /**
   * The account's last sequence number when this round's first page was read; null until then.
   * A row created after `since` is delivered whole in this round, as it is at that read or later,
   * so its changes and removal up to `base` need not be delivered too.
   */
  base: number | null;
  /** The last position delivered: (seq, transaction id); a null id means all of step `seq`. */
  seq: number;
  id: string | null;
}

/** Where a client with nothing starts. */
export const FIRST_SYNC: Omit<SyncCursor, 'account_id'> = { since: -1, base: null, seq: -1, id: null };

const VERSION = 's1';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SEQ = /^(-1|0|[1-9]\d{0,15})$/;

export function encodeSyncCursor(c: SyncCursor): string {
  return Buffer.from([VERSION, c.account_id, c.since, c.base ?? '', c.seq, c.id ?? ''].join('|')).toString('base64url');
}

/** The cursor, or undefined when it is not one openlean issued. */
export function decodeSyncCursor(cursor: string): SyncCursor | undefined {
  if (!/^[A-Za-z0-9_-]{1,300}$/.test(cursor)) return undefined;
  const parts = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  if (parts.length !== 6) return undefined;
  const [version, account, since, base, seq, id] = parts as [string, string, string, string, string, string];
  if (version !== VERSION || account.length === 0 || account.length > 64 || !SEQ.test(since) || !SEQ.test(seq)) return undefined;
  if (base !== '' && (!SEQ.test(base) || base === '-1')) return undefined;
  if (id !== '' && !UUID.test(id)) return undefined;
  const c: SyncCursor = { account_id: account, since: Number(since), base: base === '' ? null : Number(base), seq: Number(seq), id: id === '' ? null : id };
  if (c.seq < c.since || (c.base !== null && c.base < c.since)) return undefined;
  return c;
}

export type SyncKind = 'added' | 'modified' | 'removed';

/** One entry of a stream, at its position. */
export interface SyncEntry<T> {
  kind: SyncKind;
  seq: number;
  id: string;
  /** The row for `added` and `modified`; null for `removed`. */
  row: T | null;
}

export interface SyncPage<T> {
  added: T[];
  modified: T[];
  removed: string[];
  next: SyncCursor;
  has_more: boolean;
}

const before = (a: { seq: number; id: string }, b: { seq: number; id: string }) => a.seq - b.seq || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * One page: the first `count` entries of the streams (each in position order after the cursor, up
 * to `count + 1` of them, none after `head`) merged in position order. `head` is the account's
 * last sequence number, read before the streams: entries after it are left to the next page,
 * since a stream read earlier may not have seen them. A row both added and modified within the
 * page is delivered once, as added.
 */
export function syncPage<T>(cursor: SyncCursor, head: number, streams: readonly (readonly SyncEntry<T>[])[], count: number): SyncPage<T> {
  const merged = streams.flat().sort(before);
  const page = merged.slice(0, count);
  const hasMore = merged.length > count;
  const base = cursor.base ?? head;
  const addedIds = new Set(page.filter((e) => e.kind === 'added').map((e) => e.id));
  const out: SyncPage<T> = {
    added: [],
    modified: [],
    removed: [],
    has_more: hasMore,
    next: hasMore
      ? { ...cursor, base, seq: page.at(-1)!.seq, id: page.at(-1)!.id }
      : { account_id: cursor.account_id, since: head, base: null, seq: head, id: null },
  };
  for (const e of page) {
    if (e.kind === 'removed') out.removed.push(e.id);
    else if (e.kind === 'added') out.added.push(e.row!);
    else if (!addedIds.has(e.id)) out.modified.push(e.row!);
  }
  return out;
}

/**
 * Whether serving the cursor needs removals housekeeping already deleted (`prunedSeq`: the newest
 * step whose tombstones are gone). A client that starts with nothing never needs old removals.
 */
export function cursorExpired(cursor: SyncCursor, prunedSeq: number): boolean {
  if (cursor.since === -1 || prunedSeq <= 0) return false;
  return cursor.id === null ? prunedSeq > cursor.seq : prunedSeq >= cursor.seq;
}
