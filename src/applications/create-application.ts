import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { hashClientSecret, newClientId, newClientSecret } from '../auth/client-secrets.ts';
import { insertApplication } from '../store/applications.ts';
import type { DB } from '../store/schema.ts';

export interface NewApplication {
  app_id: string;
  name: string;
  client_id: string;
  /** Shown once; only its hash is stored. */
  client_secret: string;
}

/** Creates an application (a tenant) and its client credentials. */
export async function createApplication(db: Kysely<DB>, name: string, now = new Date()): Promise<NewApplication> {
  const app = { app_id: randomUUID(), name, client_id: newClientId(), client_secret: newClientSecret() };
  await insertApplication(db, {
    id: app.app_id,
    name,
    client_id: app.client_id,
    client_secret_hash: hashClientSecret(app.client_secret),
    created_at: now.toISOString(),
  });
  return app;
}
