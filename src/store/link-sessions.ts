import type { Kysely, Selectable, Updateable } from 'kysely';
import type { Permission } from '../domain/permissions.ts';
import type { DB, LinkSessionRow, LinkSessionStatus, LinkSessionTable } from './schema.ts';

/** The stored row with its JSON decoded: the one place `link_sessions.permissions` is parsed. */
function decode(row: Selectable<LinkSessionTable>): LinkSessionRow;
function decode(row: Selectable<LinkSessionTable> | undefined): LinkSessionRow | undefined;
function decode(row: Selectable<LinkSessionTable> | undefined): LinkSessionRow | undefined {
  return row === undefined ? undefined : { ...row, permissions: JSON.parse(row.permissions) as Permission[] };
}

export async function insertLinkSession(db: Kysely<DB>, row: LinkSessionRow): Promise<void> {
  await db.insertInto('link_sessions').values({ ...row, permissions: JSON.stringify(row.permissions) }).execute();
}

export async function getLinkSession(db: Kysely<DB>, id: string): Promise<LinkSessionRow | undefined> {
  return decode(await db.selectFrom('link_sessions').selectAll().where('id', '=', id).executeTakeFirst());
}

export async function findLinkSessionByState(db: Kysely<DB>, state: string): Promise<LinkSessionRow | undefined> {
  return decode(await db.selectFrom('link_sessions').selectAll().where('state', '=', state).executeTakeFirst());
}

/**
 * Moves a journey on only if it is still in one of `from`: of two requests racing (a double
 * submit, a replayed callback) exactly one wins. Returns the updated row, or undefined if it lost.
 */
export async function advanceLinkSession(
  db: Kysely<DB>,
  where: { id: string } | { state: string },
  from: readonly LinkSessionStatus[],
  changes: Omit<Updateable<LinkSessionTable>, 'permissions'> & { updated_at: string },
): Promise<LinkSessionRow | undefined> {
  let query = db.updateTable('link_sessions').set(changes).where('status', 'in', from);
  query = 'id' in where ? query.where('id', '=', where.id) : query.where('state', '=', where.state);
  return decode(await query.returningAll().executeTakeFirst());
}

/** Journeys are short-lived; rows a day past their expiry serve nobody. */
export async function deleteStaleLinkSessions(db: Kysely<DB>, before: string): Promise<void> {
  await db.deleteFrom('link_sessions').where('expires_at', '<', before).execute();
}

/** Journeys whose callback claimed the state before `before` and never recorded an outcome, oldest first. */
export async function listStuckCallbacks(db: Kysely<DB>, before: string, limit: number): Promise<LinkSessionRow[]> {
  const rows = await db.selectFrom('link_sessions').selectAll().where('status', '=', 'returned').where('updated_at', '<', before).orderBy('updated_at').limit(limit).execute();
  return rows.map((row) => decode(row));
}
