import pg from 'pg';
import type { EntityCache } from './entity-cache.ts';
import { ENTITY_CHANGES_CHANNEL } from './migrations/005-entity-change-notifications.ts';

const RETRY_MS = [100, 500, 1_000, 2_000, 5_000];

/**
 * Keeps this process's entity cache true to changes committed by any process on the PostgreSQL
 * database: one dedicated connection LISTENs to the trigger's notifications. The cache stays
 * suspended (no caching, reads go to the database) until the first LISTEN holds and again from the
 * moment the connection fails until it is back, so a missed notification can never leave a stale
 * row behind.
 */
export function followEntityChanges(databaseUrl: string, cache: EntityCache): { close(): Promise<void> } {
  cache.suspend();
  let client: pg.Client | null = null;
  let closed = false;
  let failures = 0;
  let retry: NodeJS.Timeout | undefined;

  const reconnect = () => {
    cache.suspend();
    client?.removeAllListeners();
    client?.end().catch(() => {});
    client = null;
    if (closed) return;
    retry = setTimeout(connect, RETRY_MS[Math.min(failures++, RETRY_MS.length - 1)]);
    retry.unref();
  };

  async function connect(): Promise<void> {
    const c = new pg.Client({ connectionString: databaseUrl, application_name: 'openlean-entity-changes', keepAlive: true });
    client = c;
    c.on('error', reconnect);
    c.on('end', () => client === c && !closed && reconnect());
    c.on('notification', (n) => n.payload && cache.changed(n.payload));
    try {
      await c.connect();
      await c.query(`LISTEN ${ENTITY_CHANGES_CHANNEL}`);
      if (closed || client !== c) return;
      failures = 0;
      cache.resume();
    } catch {
      if (client === c) reconnect();
    }
  }

  void connect();
  return {
    async close() {
      closed = true;
      clearTimeout(retry);
      const c = client;
      client = null;
      c?.removeAllListeners();
      c?.on('error', () => {});
      await c?.end().catch(() => {});
    },
  };
}
