import fs from 'node:fs';
import path from 'node:path';
import type { Kysely } from 'kysely';
import { verifyClientSecret } from '../auth/client-secrets.ts';
import { open, seal, type KeyRing } from '../auth/secret-box.ts';
import { findApplicationByClientId, getApplication, getSandboxApplication, putSandboxApplication } from '../store/applications.ts';
import type { DB, SandboxApplicationRow } from '../store/schema.ts';
import { createApplication } from './create-application.ts';

export interface SandboxCredentials {
  client_id: string;
  client_secret: string;
}

export const SANDBOX_APP_FILE = 'sandbox-app.json';
export const SEAL_CONTEXT = 'sandbox-application';

function readFile(file: string): SandboxCredentials | undefined {
  try {
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<SandboxCredentials>;
    if (typeof parsed.client_id === 'string' && typeof parsed.client_secret === 'string') {
      return { client_id: parsed.client_id, client_secret: parsed.client_secret };
    }
  } catch {
    // Missing or unreadable: the database decides.
  }
  return undefined;
}

/** The recorded sandbox application's credentials, if it still exists and this key opens its secret. */
async function opened(db: Kysely<DB>, key: KeyRing, row: SandboxApplicationRow): Promise<SandboxCredentials | undefined> {
  const app = await getApplication(db, row.app_id);
  if (!app) return undefined;
  try {
    const client_secret = open(key, row.client_secret_sealed, SEAL_CONTEXT);
    return verifyClientSecret(client_secret, app.client_secret_hash) ? { client_id: app.client_id, client_secret } : undefined;
  } catch {
    return undefined;
  }
}

/** Credentials from `$DATA_DIR/sandbox-app.json` (installs from before the database kept them), if still valid. */
async function fromFile(db: Kysely<DB>, file: string): Promise<{ credentials: SandboxCredentials; app_id: string } | undefined> {
  const credentials = readFile(file);
  if (!credentials) return undefined;
  const app = await findApplicationByClientId(db, credentials.client_id);
  return app && verifyClientSecret(credentials.client_secret, app.client_secret_hash) ? { credentials, app_id: app.id } : undefined;
}

/**
 * The sandbox mode's ready-made application, the same for every process on the database: its
 * secret is kept in the database sealed with the encryption key (which every process shares), and
 * written to `$DATA_DIR/sandbox-app.json` (owner-only) for scripts. Created by the first process
 * that finds none; processes racing to create it agree on the one that committed first.
 */
export async function ensureSandboxApp(db: Kysely<DB>, key: KeyRing, dataDir: string): Promise<{ credentials: SandboxCredentials; created: boolean }> {
  const file = path.join(dataDir, SANDBOX_APP_FILE);
  let result = await ensure(db, key, file);
  // Lost a creation race: the winner's application is recorded now.
  if (!result) result = await ensure(db, key, file);
  if (!result) throw new Error('the sandbox application could not be recorded');
  if (JSON.stringify(readFile(file)) !== JSON.stringify(result.credentials)) {
    fs.mkdirSync(dataDir, { recursive: true });
    fs.writeFileSync(file, JSON.stringify(result.credentials, null, 2) + '\n', { mode: 0o600 });
    // `mode` applies only to a new file; one left by someone else keeps its permissions otherwise.
    fs.chmodSync(file, 0o600);
  }
  return result;
}

/** Thrown inside the creating transaction to undo it: another process recorded its application first. */
class LostRace extends Error {}

async function ensure(db: Kysely<DB>, key: KeyRing, file: string): Promise<{ credentials: SandboxCredentials; created: boolean } | undefined> {
  const row = await getSandboxApplication(db);
  const existing = row && (await opened(db, key, row));
  if (existing) return { credentials: existing, created: false };
  // None, or one this key cannot open (the key changed): record the file's or a new one in its place.
  const replace = row !== undefined;
  const adopted = await fromFile(db, file);
  try {
    return await db.transaction().execute(async (trx) => {
      let chosen = adopted;
      if (!chosen) {
        const app = await createApplication(trx, 'Sandbox application');
        chosen = { credentials: { client_id: app.client_id, client_secret: app.client_secret }, app_id: app.app_id };
      }
      const record = { app_id: chosen.app_id, client_secret_sealed: seal(key, chosen.credentials.client_secret, SEAL_CONTEXT), created_at: new Date().toISOString() };
      if (!(await putSandboxApplication(trx, record, replace))) throw new LostRace();
      return { credentials: chosen.credentials, created: adopted === undefined };
    });
  } catch (err) {
    if (err instanceof LostRace) return undefined;
    throw err;
  }
}
