import { sql, type Kysely } from 'kysely';
import { SEAL_CONTEXT } from '../applications/sandbox-app.ts';
import { verifierAad } from '../link/journey.ts';
import type { DB } from '../store/schema.ts';
import { webhookSecretAad } from '../webhooks/endpoints.ts';
import { currentPrefix, open, seal, type KeyRing } from './secret-box.ts';
import { sealPlaintextSigningKeys, signingKeyAad } from './signing-keys.ts';

/** A column holding values sealed with the encryption key, and how to rebuild each value's associated data from its row's key. */
export interface SealedColumn {
  table: string;
  /** The table's single-column text primary key. */
  key: string;
  column: string;
  aad: (key: string) => string;
}

/** Every sealed value openlean stores (docs/security.md lists them with the rest of its secrets). */
export const SEALED_COLUMNS: readonly SealedColumn[] = [
  { table: 'entity_connections', key: 'entity_id', column: 'credentials', aad: (entityId) => entityId },
  { table: 'webhook_endpoints', key: 'app_id', column: 'secret', aad: webhookSecretAad },
  { table: 'webhook_endpoints', key: 'app_id', column: 'previous_secret', aad: webhookSecretAad },
  { table: 'link_sessions', key: 'id', column: 'code_verifier', aad: verifierAad },
  { table: 'sandbox_application', key: 'slot', column: 'client_secret_sealed', aad: () => SEAL_CONTEXT },
  { table: 'signing_keys', key: 'kid', column: 'private_jwk_sealed', aad: signingKeyAad },
];

/** What one batch of one column came to; `resealed`, `changed` and `unopenable` count this batch only. */
export interface ResealBatch {
  /** `table.column`. */
  column: string;
  resealed: number;
  /** Values another writer replaced between our read and our write: theirs is kept. */
  changed: number;
  /** Values no key of the ring opens (their key is missing from ENCRYPTION_KEYS_OLD), left as they are. */
  unopenable: number;
}

export interface ResealReport {
  resealed: number;
  changed: number;
  unopenable: number;
  /** Values still sealed with another key afterwards, per `table.column` (zero ones left out). */
  remaining: Record<string, number>;
  /** Whether `signal` stopped it before the end; running it again resumes. */
  interrupted: boolean;
}

/** Rows of `c` whose value is not sealed with the current key (compared on the prefix, not with LIKE, whose `_` is a wildcard). */
function stale(db: Kysely<any>, c: SealedColumn, prefix: string) {
  return db
    .selectFrom(c.table)
    .where(c.column, 'is not', null)
    .where(sql`substr(${sql.ref(c.column)}, 1, ${prefix.length})`, '<>', prefix);
}

/**
 * Re-seals, with the ring's current key, every stored secret sealed with another key (or in the
 * v1 format, or a signing key still in clear), `batchSize` rows at a time in key order, calling
 * `onBatch` after each. Each value is replaced by a compare-and-set on the ciphertext read, so it
 * is safe while API processes and workers run (with this ring) and write secrets of their own: a
 * newer value one of them wrote is kept, never overwritten. A value already sealed with the
 * current key is not selected, so an interrupted run (`signal`, checked between batches) resumes
 * where it stopped, and a run after a complete one re-seals nothing.
 */
export async function rotateEncryption(
  db: Kysely<DB>,
  ring: KeyRing,
  options: { batchSize: number; signal?: AbortSignal; onBatch?: (batch: ResealBatch) => void },
): Promise<ResealReport> {
  const any = db as unknown as Kysely<any>;
  const prefix = currentPrefix(ring);
  const report: ResealReport = { resealed: await sealPlaintextSigningKeys(db, ring), changed: 0, unopenable: 0, remaining: {}, interrupted: false };
  for (const c of SEALED_COLUMNS) {
    const name = `${c.table}.${c.column}`;
    let after: string | undefined;
    for (;;) {
      // A turn of the event loop between batches: SQLite answers without one, and a signal's
      // handler (the CLI's Ctrl-C, which aborts `signal`) runs only on one.
      await new Promise((resolve) => setImmediate(resolve));
      if (options.signal?.aborted) return { ...report, interrupted: true, remaining: await remaining(db, ring) };
      let query = stale(any, c, prefix).select([`${c.key} as key`, `${c.column} as value`]);
      if (after !== undefined) query = query.where(c.key, '>', after);
      const rows = (await query.orderBy(c.key).limit(options.batchSize).execute()) as { key: string; value: string }[];
      if (rows.length === 0) break;
      const batch: ResealBatch = { column: name, resealed: 0, changed: 0, unopenable: 0 };
      for (const row of rows) {
        let resealed: string;
        try {
          resealed = seal(ring, open(ring, row.value, c.aad(row.key)), c.aad(row.key));
        } catch {
          batch.unopenable++;
          continue;
        }
        const res = await any.updateTable(c.table).set({ [c.column]: resealed }).where(c.key, '=', row.key).where(c.column, '=', row.value).executeTakeFirst();
        if (Number(res.numUpdatedRows) === 1) batch.resealed++;
        else batch.changed++;
      }
      report.resealed += batch.resealed;
      report.changed += batch.changed;
      report.unopenable += batch.unopenable;
      after = rows.at(-1)!.key;
      options.onBatch?.(batch);
    }
  }
  return { ...report, remaining: await remaining(db, ring) };
}

/** How many values of each sealed column are not sealed with the ring's current key (zero ones left out). */
export async function remaining(db: Kysely<DB>, ring: KeyRing): Promise<Record<string, number>> {
  const any = db as unknown as Kysely<any>;
  const counts: Record<string, number> = {};
  for (const c of SEALED_COLUMNS) {
    const row = (await stale(any, c, currentPrefix(ring)).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()) as { n: number | string };
    if (Number(row.n) > 0) counts[`${c.table}.${c.column}`] = Number(row.n);
  }
  return counts;
}
