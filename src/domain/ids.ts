import { hash, randomBytes, randomInt } from 'node:crypto';

/**
 * A UUID-shaped id derived from its inputs (RFC 9562 version 8), so the same real-world thing gets
 * the same id every time it is written: upserts need no read-back and re-running a write is a no-op.
 *
 * @example derivedId('txn', accountId, 'TX-123')
 */
export function derivedId(...parts: string[]): string {
  const h = hash('sha256', parts.join('\u0000'), 'buffer');
  h[6] = (h[6]! & 0x0f) | 0x80;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

let last = { ms: 0, counter: 0 };

/**
 * A UUID that sorts by creation (RFC 9562 version 7), strictly increasing within this process even
 * inside one millisecond or when the clock steps back (a 12-bit counter in `rand_a`), so events
 * written one after another sort in the order they were written.
 */
export function timeOrderedId(now: Date): string {
  let ms = Math.max(now.getTime(), last.ms);
  let counter = ms === last.ms ? last.counter + 1 : randomInt(0x800);
  if (counter > 0xfff) {
    ms += 1;
    counter = randomInt(0x800);
  }
  last = { ms, counter };
  const b = randomBytes(16);
  b.writeUIntBE(ms, 0, 6);
  b[6] = 0x70 | (counter >> 8);
  b[7] = counter & 0xff;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = b.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
