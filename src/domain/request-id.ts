/**
 * One character a caller's `x-request-id` may be made of to be adopted as the request's id
 * (src/api/request-id.ts): safe in a header and a log line, and its own JSON string body, so the
 * audit trail writes such an id without escaping (src/audit/segment.ts).
 */
export const REQUEST_ID_CHARACTER = /[A-Za-z0-9._-]/;

/** The longest `x-request-id` adopted, in characters. */
export const MAX_REQUEST_ID_LENGTH = 128;

/*
 * The ids openlean makes for requests that bring none: UUIDs version 7 (RFC 9562 §5.7), their 48-bit
 * `unix_ts_ms` the time they were made, their 12 bits `rand_a` a counter within that millisecond
 * (RFC 9562 §6.2, method 1: "fixed bit-length dedicated counter"), and their 62 bits `rand_b` drawn
 * once per process. They sort by the time they were made, and the audit trail stores one of its own
 * process in a few digits (`ownRequestIdCode`) where a random UUID took 38 bytes of every record:
 * most of what recording a cached read cost (docs/decisions/021).
 */

/** The most ids a process makes in one millisecond before it borrows the next (RFC 9562 §6.2). */
export const REQUEST_IDS_PER_MS = 4096;

const HEX = '0123456789abcdef';
/** Each counter value as `rand_a`'s three hex digits. */
const COUNTER_HEX = Array.from({ length: REQUEST_IDS_PER_MS }, (_, n) => n.toString(16).padStart(3, '0'));
/** Hex digit values by character code; -1 for any other character. */
const HEX_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < 16; i++) HEX_VALUE[HEX.charCodeAt(i)] = i;

/**
 * A process's `rand_b` as the last 18 characters of its ids (`-vxxx-xxxxxxxxxxxx`, the variant
 * bits `10`), from 62 bits of `random` (which gives bytes: node:crypto's randomBytes).
 */
export function requestIdNode(random: Uint8Array): string {
  if (random.length < 8) throw new RangeError('requestIdNode needs 8 random bytes');
  const bytes = Uint8Array.from(random.subarray(0, 8));
  bytes[0] = (bytes[0]! & 0x3f) | 0x80;
  const hex = Buffer.from(bytes).toString('hex');
  return `-${hex.slice(0, 4)}-${hex.slice(4)}`;
}

/** The first 15 characters of the ids of millisecond `ms` (since the epoch): `unix_ts_ms`, and the version. */
export function requestIdPrefix(ms: number): string {
  const hex = ms.toString(16).padStart(12, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7`;
}

/** Counter `counter` (0 to `REQUEST_IDS_PER_MS` − 1) as an id's `rand_a`: three hex digits. */
export const requestIdCounter = (counter: number): string => COUNTER_HEX[counter]!;

/** The id made at `ms` with counter `counter` (0 to `REQUEST_IDS_PER_MS` − 1) by the process of `node`. */
export function ownRequestId(ms: number, counter: number, node: string): string {
  return requestIdPrefix(ms) + requestIdCounter(counter) + node;
}

/**
 * `id` as one integer relative to `baseMs`, `(ms − baseMs) × REQUEST_IDS_PER_MS + counter`, when it
 * is an id of the process of `node` (as `ownRequestId` makes them, lower-case hex); else undefined.
 * `ownRequestIdOfCode` gives the id back. Allocates nothing: it runs once per audited read.
 */
export function ownRequestIdCode(id: string, node: string, baseMs: number): number | undefined {
  if (id.length !== 36 || id.charCodeAt(14) !== 0x37 || !id.endsWith(node)) return undefined;
  let ms = 0;
  for (let i = 0; i < 13; i++) {
    if (i === 8) continue;
    const d = HEX_VALUE[id.charCodeAt(i)] ?? -1;
    if (d < 0) return undefined;
    ms = ms * 16 + d;
  }
  if (id.charCodeAt(8) !== 0x2d || id.charCodeAt(13) !== 0x2d) return undefined;
  let counter = 0;
  for (let i = 15; i < 18; i++) {
    const d = HEX_VALUE[id.charCodeAt(i)] ?? -1;
    if (d < 0) return undefined;
    counter = counter * 16 + d;
  }
  return (ms - baseMs) * REQUEST_IDS_PER_MS + counter;
}

/** The id of `code` (`ownRequestIdCode`'s) of the process of `node`, relative to `baseMs`. */
export function ownRequestIdOfCode(code: number, node: string, baseMs: number): string {
  const counter = ((code % REQUEST_IDS_PER_MS) + REQUEST_IDS_PER_MS) % REQUEST_IDS_PER_MS;
  return ownRequestId(baseMs + (code - counter) / REQUEST_IDS_PER_MS, counter, node);
}
