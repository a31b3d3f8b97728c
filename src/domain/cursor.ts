/**
 * Keyset cursors for newest-first lists ordered by (timestamp, id). A cursor names the last item
 * a page ended with; the next page starts strictly after it. It is opaque to clients (base64url)
 * so its layout can change behind a version prefix.
 */
export interface Position {
  at: string;
  id: string;
}

const VERSION = 'c1';
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export function encodeCursor(position: Position): string {
  return Buffer.from(`${VERSION}|${position.at}|${position.id}`).toString('base64url');
}

/** The position a cursor names, or undefined when it is not a cursor openlean issued. */
export function decodeCursor(cursor: string): Position | undefined {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(cursor)) return undefined;
  const [version, at, id, ...rest] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  if (version !== VERSION || rest.length > 0 || !at || !id || !ISO.test(at) || id.length > 64) return undefined;
  return { at, id };
}
