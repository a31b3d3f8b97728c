import { PostgresAdapter, sql, type Kysely } from 'kysely';

/** The channel every committed change to an entity row is announced on (PostgreSQL only). */
export const ENTITY_CHANGES_CHANNEL = 'openlean_entity_changed';

/**
 * Processes cache entity rows (store/entity-cache.ts). On PostgreSQL several processes share the
 * database, so each must hear of the others' changes: a trigger NOTIFYs the entity id, which
 * PostgreSQL delivers when (and only if) the transaction commits, whoever wrote it, including
 * writes no code path remembered to announce. SQLite has one process and needs nothing.
 */
export async function up(db: Kysely<any>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
  await sql`
    create function openlean_entity_changed() returns trigger language plpgsql as $$
    begin
      perform pg_notify(${sql.lit(ENTITY_CHANGES_CHANNEL)}, coalesce(new.id, old.id));
      return null;
    end $$`.execute(db);
  await sql`
    create trigger entities_changed after update or delete on entities
    for each row execute function openlean_entity_changed()`.execute(db);
}

