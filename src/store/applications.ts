import type { Kysely } from 'kysely';
import type { ApplicationRow, DB } from './schema.ts';

export async function insertApplication(db: Kysely<DB>, app: ApplicationRow): Promise<void> {
  await db.insertInto('applications').values(app).execute();
}

export async function findApplicationByClientId(db: Kysely<DB>, clientId: string): Promise<ApplicationRow | undefined> {
  return db.selectFrom('applications').selectAll().where('client_id', '=', clientId).executeTakeFirst();
}

export async function getApplication(db: Kysely<DB>, id: string): Promise<ApplicationRow | undefined> {
  return db.selectFrom('applications').selectAll().where('id', '=', id).executeTakeFirst();
}
