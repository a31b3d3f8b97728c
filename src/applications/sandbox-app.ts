import fs from 'node:fs';
import path from 'node:path';
import type { Kysely } from 'kysely';
import { verifyClientSecret } from '../auth/client-secrets.ts';
import { findApplicationByClientId } from '../store/applications.ts';
import type { DB } from '../store/schema.ts';
import { createApplication } from './create-application.ts';

export interface SandboxCredentials {
  client_id: string;
  client_secret: string;
}

export const SANDBOX_APP_FILE = 'sandbox-app.json';

function readCredentials(file: string): SandboxCredentials | undefined {
  try {
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<SandboxCredentials>;
    if (typeof parsed.client_id === 'string' && typeof parsed.client_secret === 'string') {
      return { client_id: parsed.client_id, client_secret: parsed.client_secret };
    }
  } catch {
    // Missing or unreadable: a new application is made below.
  }
  return undefined;
}

/**
 * The embedded default's ready-made application: reused while `$DATA_DIR/sandbox-app.json` still
 * matches the database, otherwise created and written there (owner-only) for the quickstart.
 */
export async function ensureSandboxApp(db: Kysely<DB>, dataDir: string): Promise<{ credentials: SandboxCredentials; created: boolean }> {
  const file = path.join(dataDir, SANDBOX_APP_FILE);
  const existing = readCredentials(file);
  if (existing) {
    const row = await findApplicationByClientId(db, existing.client_id);
    if (row && verifyClientSecret(existing.client_secret, row.client_secret_hash)) return { credentials: existing, created: false };
  }
  const app = await createApplication(db, 'Sandbox application');
  const credentials = { client_id: app.client_id, client_secret: app.client_secret };
  fs.mkdirSync(dataDir, { recursive: true });
  fs.writeFileSync(file, JSON.stringify(credentials, null, 2) + '\n', { mode: 0o600 });
  return { credentials, created: true };
}
