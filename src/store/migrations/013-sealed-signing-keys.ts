import type { Kysely } from 'kysely';

/**
 * Token-signing keys at rest and in rotation. The private JWK column is renamed for what it now
 * holds, a value sealed with the encryption key; the migration has no key, so rows written before
 * it are sealed at the next start (`sealPlaintextSigningKeys`, src/auth/signing-keys.ts) or by
 * `openlean migrate`. `activates_at` is when a key starts signing: the key whose activation is the
 * latest one not in the future signs, so every process decides alike from the rows and the clock.
 * Existing keys were active from their creation.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('signing_keys').renameColumn('private_jwk', 'private_jwk_sealed').execute();
  await db.schema.alterTable('signing_keys').addColumn('activates_at', 'text').execute();
  await db.updateTable('signing_keys').set((eb) => ({ activates_at: eb.ref('created_at') })).execute();
}
