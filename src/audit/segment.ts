/**
 * Audit segments (docs/decisions/021-audit-segments.md): the audit trail stores a batch of one
 * application's records as one row, their repeated strings written once, instead of one row per
 * record. A read's record then costs the serving process well under a microsecond (a few map
 * lookups and numbers appended to a JSON text), where one indexed row per read cost about 15 µs:
 * more than half what serving the read itself costs.
 *
 * This module is pure: it turns records into a segment's text and keys, and back.
 */
import { randomUUID } from 'node:crypto';
import type { AuditKind, AuditOutcome } from '../domain/audit.ts';
import { ownRequestIdCode, ownRequestIdOfCode, REQUEST_ID_CHARACTER } from '../domain/request-id.ts';
import type { AuditEventRow } from '../store/schema.ts';

/**
 * An audit record to write: the record without its id and time. A `customer_id` left undefined
 * is looked up when the segment is written, from `entity_id`, among the application's entities
 * (null when the entity is not the application's: a refused read).
 */
export type AuditEventInput = Omit<Partial<AuditEventRow>, 'id' | 'app_id' | 'kind' | 'outcome' | 'at'> & Pick<AuditEventRow, 'app_id' | 'kind' | 'outcome'>;

/**
 * What a segment's records are found by, one per distinct (entity, kind) among them, with how many
 * records it stands for: the index that filters by entity, customer and kind, and counts without
 * decoding a segment.
 */
export interface SegmentKey {
  entity_id: string | null;
  kind: AuditKind;
  /** Records of this entity and kind in the segment. */
  n: number;
}

/** One application's records, ready to store: the row's text and what it is indexed by. */
export interface EncodedSegment {
  app_id: string;
  /** The first and last record's time, ms since the epoch. */
  first_ms: number;
  last_ms: number;
  count: number;
  /**
   * The records, as the UTF-8 bytes of `SegmentText` JSON: bytes, because the SQLite writer binds
   * them as they are (a string of a full segment, ~190 kB, was decoded from the buffer and encoded
   * again when bound).
   */
  records: Buffer;
  keys: SegmentKey[];
  /** Customers the records named (entity id → customer id); the others are looked up by the writer. */
  customers: Record<string, string>;
}

/**
 * The stored text of a segment (version 2). `s` holds each distinct string once. `shapes` holds
 * each distinct combination of the fields that repeat from read to read (`kind`, `entity_id`,
 * `operation`, `resource`, `account_id`, `subject`, `outcome`, `error_code`, `detail`, `status`, in
 * that order), as indexes into `s` (−1 for null) except `status` (a number or null). `r` holds three values per
 * record: its time as ms from `base` (the first record's time), its shape's index, and its `request_id`:
 * a string, null, or (version 2) a number, an id the writing process made, `ownRequestIdCode` of
 * `node` (that process's) and `ib` (the ms its ids are numbered from). Version 1 had neither `node` nor `ib`,
 * and every id a string.
 */
interface SegmentText {
  v: 1 | 2;
  base: number;
  node?: string | null;
  ib?: number;
  s: string[];
  shapes: Array<Array<number | null>>;
  r: Array<number | string | null>;
}

const STRIDE = 3;
/** The characters of a request id that is its own JSON string body (what `x-request-id` admits, and UUIDs): no escaping needed. */
const PLAIN = new Uint8Array(128);
for (let c = 0; c < PLAIN.length; c++) PLAIN[c] = REQUEST_ID_CHARACTER.test(String.fromCharCode(c)) ? 1 : 0;
const COMMA = 0x2c;
/** What closes `r` and the segment's JSON. */
const R_END = Buffer.from(']}');
const QUOTE = 0x22;

/** Writes the decimal digits of integer `n` (a safe integer, perhaps negative) into `buffer` at `at`; returns where they end. */
function writeInteger(buffer: Buffer, at: number, n: number): number {
  if (n < 0) {
    buffer[at++] = 0x2d;
    n = -n;
  }
  let digits = 1;
  for (let rest = n; rest >= 10; rest = Math.floor(rest / 10)) digits++;
  for (let i = at + digits - 1; i >= at; i--) {
    buffer[i] = 0x30 + (n % 10);
    n = Math.floor(n / 10);
  }
  return at + digits;
}
/** A new segment's buffer for `r`; it doubles as it fills (a full segment of UUID ids is about 190 kB). */
const R_INITIAL_BYTES = 16 * 1024;

/** The most records a segment holds: its records' ids carry the index in 12 bits. */
export const MAX_SEGMENT_RECORDS = 4096;

/**
 * The records of one batch, as one segment per application (in the order each application first
 * appears), at most `MAX_SEGMENT_RECORDS` records each. `times[i]` is when `events[i]` was
 * recorded, in ms since the epoch; records are kept in the order given. `node`: as `SegmentBatch`'s.
 */
export function encodeSegments(events: readonly AuditEventInput[], times: readonly number[], node: string | null = null): EncodedSegment[] {
  const batch = new SegmentBatch(node);
  events.forEach((e, i) => batch.add(e, times[i]!));
  return batch.take().map((b) => b.finish());
}

/**
 * Records of any applications being encoded: one open segment per application, a new one begun
 * when it fills up (`MAX_SEGMENT_RECORDS`), every segment kept in the order it was begun.
 */
export class SegmentBatch {
  readonly #node: string | null;
  #open = new Map<string, SegmentBuilder>();
  #segments: SegmentBuilder[] = [];
  /** Records in all its segments. */
  records = 0;

  /**
   * `node`: the `rand_b` (`REQUEST_ID_NODE`, src/api/request-id.ts) of the process whose request ids
   * the segments store as numbers; null stores every id as it is.
   */
  constructor(node: string | null = null) {
    this.#node = node;
  }

  /** Adds `e`, recorded at `ms` (ms since the epoch), to its application's open segment. */
  add(e: AuditEventInput, ms: number): void {
    let builder = this.#open.get(e.app_id);
    if (!builder) {
      builder = new SegmentBuilder(e.app_id, this.#node);
      this.#open.set(e.app_id, builder);
      this.#segments.push(builder);
    }
    builder.add(e, ms);
    if (builder.full) this.#open.delete(e.app_id);
    this.records++;
  }

  /** Every segment, in the order begun; the batch is empty after. */
  take(): SegmentBuilder[] {
    const taken = this.#segments;
    this.#open = new Map();
    this.#segments = [];
    this.records = 0;
    return taken;
  }

  /**
   * Puts back segments taken for a write that failed, before those begun since; each takes more
   * records again unless full or another of its application was begun meanwhile.
   */
  restore(segments: readonly SegmentBuilder[]): void {
    this.#segments = [...segments, ...this.#segments];
    for (const b of segments) {
      if (!b.full && !this.#open.has(b.appId)) this.#open.set(b.appId, b);
      this.records += b.count;
    }
  }

  /** Drops the oldest segments until it holds at most `max` records; returns how many records it dropped. */
  dropOldest(max: number): number {
    let dropped = 0;
    while (this.records > max) {
      const oldest = this.#segments.shift()!;
      if (this.#open.get(oldest.appId) === oldest) this.#open.delete(oldest.appId);
      this.records -= oldest.count;
      dropped += oldest.count;
    }
    return dropped;
  }
}

/** Whether two records have the same shape (the fields of `SegmentText.shapes`), null and undefined alike. */
function sameShape(a: AuditEventInput, b: AuditEventInput): boolean {
  return (
    a.kind === b.kind &&
    (a.entity_id ?? null) === (b.entity_id ?? null) &&
    (a.operation ?? null) === (b.operation ?? null) &&
    (a.resource ?? null) === (b.resource ?? null) &&
    (a.account_id ?? null) === (b.account_id ?? null) &&
    (a.subject ?? null) === (b.subject ?? null) &&
    a.outcome === b.outcome &&
    (a.error_code ?? null) === (b.error_code ?? null) &&
    (a.detail ?? null) === (b.detail ?? null) &&
    (a.status ?? null) === (b.status ?? null)
  );
}

/**
 * One application's segment, built a record at a time: each record's three values are written as
 * it is added, as the JSON text of `r`, into a buffer, so nothing of a read is kept until the
 * write (a buffered event object per read, later its request id string, outlived the young
 * generation under load and was promoted, to die in the old one), and the write does not
 * serialise thousands of values at once. `finish` gives the segment as it stands and may be
 * called again after more records are added (a write that failed is retried with what came since).
 */
export class SegmentBuilder {
  readonly appId: string;
  readonly #node: string | null;
  /** The ms the ids of `#node` are numbered from (`SegmentText.ib`): the first record's time, once one of them is seen. */
  #idBase: number | undefined;
  /** Records added so far. */
  count = 0;
  readonly #strings: string[] = [];
  readonly #stringIndex = new Map<string, number>();
  readonly #shapes: Array<Array<number | null>> = [];
  readonly #shapeIndex = new Map<string, number>();
  readonly #shapeCounts: number[] = [];
  /** Per shape, its entity and kind: what the segment's keys are made of. */
  readonly #shapeKeys: Array<{ entity_id: string | null; kind: AuditKind }> = [];
  readonly #customers: Record<string, string> = {};
  /** `r`'s JSON text without its brackets (UTF-8), `#rBytes` of it written. */
  #r = Buffer.allocUnsafe(R_INITIAL_BYTES);
  #rBytes = 0;
  #base = 0;
  #first = Infinity;
  #last = -Infinity;
  #previous: AuditEventInput | undefined;
  #shape = -1;

  constructor(appId: string, node: string | null = null) {
    this.appId = appId;
    this.#node = node;
  }

  /** Whether it holds `MAX_SEGMENT_RECORDS` records, the most a segment may. */
  get full(): boolean {
    return this.count >= MAX_SEGMENT_RECORDS;
  }

  #intern(value: string | null | undefined): number {
    if (value === null || value === undefined) return -1;
    let n = this.#stringIndex.get(value);
    if (n === undefined) {
      n = this.#strings.length;
      this.#strings.push(value);
      this.#stringIndex.set(value, n);
    }
    return n;
  }

  /** Adds `e`, recorded at `ms` (ms since the epoch). */
  add(e: AuditEventInput, ms: number): void {
    if (this.count === 0) this.#base = ms;
    if (ms < this.#first) this.#first = ms;
    if (ms > this.#last) this.#last = ms;
    // Reads come in runs of one shape (one client reading one entity): most records cost one comparison.
    if (this.#previous === undefined || !sameShape(this.#previous, e)) {
      const fields = [this.#intern(e.kind), this.#intern(e.entity_id), this.#intern(e.operation), this.#intern(e.resource), this.#intern(e.account_id), this.#intern(e.subject), this.#intern(e.outcome), this.#intern(e.error_code), this.#intern(e.detail), e.status ?? null];
      const name = fields.join(',');
      const known = this.#shapeIndex.get(name);
      if (known === undefined) {
        this.#shape = this.#shapes.length;
        this.#shapes.push(fields);
        this.#shapeIndex.set(name, this.#shape);
        this.#shapeCounts.push(0);
        this.#shapeKeys.push({ entity_id: e.entity_id ?? null, kind: e.kind });
      } else {
        this.#shape = known;
      }
      this.#previous = e;
    }
    if (typeof e.customer_id === 'string' && e.entity_id) this.#customers[e.entity_id] = e.customer_id;
    this.#shapeCounts[this.#shape]!++;
    this.#append(ms - this.#base, this.#shape, e.request_id ?? null);
    this.count++;
  }

  /**
   * Writes a record's three values into `r` byte by byte: building the text as a string first (and
   * the native call that copied it) cost more than the rest of a record together. A request id this
   * process made is a number (`SegmentText`): a UUID took 38 of a record's ~45 bytes, where such a
   * record now takes ~12 (docs/decisions/021). Any other id of
   * plain characters (what openlean admits, `src/api/request-id.ts`) is its own JSON string; the
   * rest are escaped by `JSON.stringify`.
   */
  #append(delta: number, shape: number, id: string | null): void {
    // A separator and three commas, and three integers of at most 16 digits and a sign each (55
    // bytes); else the id: escaped, a UTF-16 unit takes at most 6 bytes, plus its quotes.
    let at = this.#reserve(55 + (id === null ? 4 : 6 * id.length + 2));
    const r = this.#r;
    if (this.count > 0) r[at++] = COMMA;
    at = writeInteger(r, at, delta);
    r[at++] = COMMA;
    at = writeInteger(r, at, shape);
    r[at++] = COMMA;
    if (id !== null && this.#node !== null) {
      // Numbered from the segment's first record's time: ids are made within ms of their records, so
      // a few digits each, and far inside a safe integer whatever the clocks (RFC 9562's 48-bit ms
      // times 4096 would not be after 2039).
      const code = ownRequestIdCode(id, this.#node, (this.#idBase ??= this.#base));
      if (code !== undefined) {
        this.#rBytes = writeInteger(r, at, code);
        return;
      }
    }
    if (id === null) {
      this.#rBytes = at + r.write('null', at, 'latin1');
      return;
    }
    const start = at;
    r[at++] = QUOTE;
    for (let i = 0; i < id.length; i++) {
      const c = id.charCodeAt(i);
      if (!PLAIN[c]) {
        // Escaped, and perhaps more than a byte a character: written again from the quote.
        this.#rBytes = start + r.write(JSON.stringify(id), start);
        return;
      }
      r[at++] = c;
    }
    r[at++] = QUOTE;
    this.#rBytes = at;
  }

  /** Makes room for `bytes` more bytes in `r`; returns where they begin. */
  #reserve(bytes: number): number {
    if (this.#rBytes + bytes > this.#r.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.#r.length * 2, this.#rBytes + bytes));
      this.#r.copy(grown, 0, 0, this.#rBytes);
      this.#r = grown;
    }
    return this.#rBytes;
  }

  /** The segment of the records added so far. */
  finish(): EncodedSegment {
    const keys = new Map<string, SegmentKey>();
    this.#shapeKeys.forEach(({ entity_id, kind }, n) => {
      const name = `${entity_id}|${kind}`;
      const key = keys.get(name);
      if (key) key.n += this.#shapeCounts[n]!;
      else keys.set(name, { entity_id, kind, n: this.#shapeCounts[n]! });
    });
    // SegmentText's members in its order, `r` already JSON.
    const head = Buffer.from(`{"v":2,"base":${this.#base},"node":${JSON.stringify(this.#node)},"ib":${this.#idBase ?? 0},"s":${JSON.stringify(this.#strings)},"shapes":${JSON.stringify(this.#shapes)},"r":[`);
    const records = Buffer.concat([head, this.#r.subarray(0, this.#rBytes), R_END]);
    return {
      app_id: this.appId,
      first_ms: this.#first,
      last_ms: this.#last,
      count: this.count,
      records,
      keys: [...keys.values()],
      customers: { ...this.#customers },
    };
  }
}

/**
 * A new segment id: a UUID version 7 (RFC 9562 §5.7) of `ms`, so segments made later sort after.
 */
export function segmentId(ms: number): string {
  const hex = ms.toString(16).padStart(12, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7${randomUUID().slice(15)}`;
}

/**
 * The id of record `index` of segment `id`, made at `ms`: a UUID version 7 of the record's own time,
 * its 12 bits `rand_a` the index and its `rand_b` the segment's, so records sort by (time, id) like
 * rows with UUIDv7 ids do, and no two records share an id.
 */
export function recordId(id: string, index: number, ms: number): string {
  const hex = ms.toString(16).padStart(12, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7${index.toString(16).padStart(3, '0')}${id.slice(18)}`;
}

/**
 * The records of stored segment `id` of application `appId`, oldest first (as written), each with
 * its id and ISO 8601 time; the customer of each entity is `customers`' (entity id → customer id,
 * null when none), or null.
 *
 * @throws Error when `text` is not a segment of a version this code reads, or holds an id it cannot (a corrupt row).
 */
export function decodeSegment(id: string, appId: string, text: string, customers: ReadonlyMap<string, string | null>): AuditEventRow[] {
  const parsed = JSON.parse(text) as SegmentText;
  const node = parsed.v === 2 && typeof parsed.node === 'string' && typeof parsed.ib === 'number' ? parsed.node : null;
  if ((parsed.v !== 1 && parsed.v !== 2) || !Array.isArray(parsed.s) || !Array.isArray(parsed.shapes) || !Array.isArray(parsed.r) || parsed.r.length % STRIDE !== 0) {
    throw new Error(`audit segment ${id} is not a version 1 or 2 segment`);
  }
  const { s, shapes, r, base } = parsed;
  const str = (n: number | null | undefined): string | null => (typeof n === 'number' && n >= 0 ? s[n]! : null);
  const rows: AuditEventRow[] = [];
  for (let at = 0, index = 0; at < r.length; at += STRIDE, index++) {
    const ms = base + (r[at] as number);
    const [kind, entity, operation, resource, account, subject, outcome, errorCode, detail, status] = shapes[r[at + 1] as number]!;
    const entityId = str(entity);
    rows.push({
      id: recordId(id, index, ms),
      app_id: appId,
      customer_id: entityId === null ? null : (customers.get(entityId) ?? null),
      entity_id: entityId,
      kind: str(kind) as AuditKind,
      operation: str(operation),
      resource: str(resource),
      account_id: str(account),
      subject: str(subject),
      request_id: requestIdOf(r[at + 2], node, parsed.ib ?? 0, id),
      status: status ?? null,
      outcome: str(outcome) as AuditOutcome,
      error_code: str(errorCode),
      detail: str(detail),
      at: new Date(ms).toISOString(),
    });
  }
  return rows;
}

/** A record's stored `request_id` as the id it stands for (`SegmentText.r`). */
function requestIdOf(stored: number | string | null | undefined, node: string | null, idBase: number, segment: string): string | null {
  if (stored === null || typeof stored === 'string') return stored;
  if (typeof stored === 'number' && node !== null && Number.isSafeInteger(stored)) return ownRequestIdOfCode(stored, node, idBase);
  throw new Error(`audit segment ${segment} holds a request id it cannot read`);
}
