import { hash } from 'node:crypto';

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
