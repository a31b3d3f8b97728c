import type { Logger } from 'pino';
import type { BankConnector } from '../banks/connector.ts';
import type { BankRegistry } from '../banks/registry.ts';
import type { Store } from '../store/database.ts';
import { findEntityOfConsent } from '../store/connections.ts';
import { advanceLinkSession, listStuckCallbacks } from '../store/link-sessions.ts';
import { revokeQuietly } from './journey.ts';

/**
 * A callback takes seconds: its bank calls give up after BANK_TIMEOUT_MS and a few retries. One
 * still unsettled this long after it claimed its state was cut short by its process dying.
 */
export const STUCK_AFTER_MS = 10 * 60_000;
const BATCH = 100;

export interface ReconcileDeps {
  store: Store;
  banks: BankRegistry;
  /** Revokes the consents of the journeys that fail. */
  connector: BankConnector;
  log: Logger;
  now: () => Date;
}

/**
 * Settles the journeys whose callback was cut short between claiming the state and recording the
 * outcome, so that none stays `returned` and no authorised consent is left unused at the bank: a
 * journey whose entity committed is completed with it (the user was told nothing, but the
 * connection exists and its webhooks went out); any other fails (INTERNAL_ERROR) and its consent,
 * which the bank may have authorised and handed tokens for, is revoked. Safe from several
 * workers at once: each journey is moved on by one. Returns how many were settled.
 */
export async function reconcileStuckCallbacks(deps: ReconcileDeps): Promise<number> {
  const now = deps.now();
  const at = now.toISOString();
  const stuck = await listStuckCallbacks(deps.store.db, new Date(now.getTime() - STUCK_AFTER_MS).toISOString(), BATCH);
  let settled = 0;
  for (const session of stuck) {
    const entityId = session.consent_id ? await findEntityOfConsent(deps.store.db, session.consent_id) : undefined;
    if (entityId) {
      if (await advanceLinkSession(deps.store.db, { id: session.id }, ['returned'], { status: 'completed', result_entity_id: entityId, updated_at: at })) settled++;
      continue;
    }
    if (!(await advanceLinkSession(deps.store.db, { id: session.id }, ['returned'], { status: 'failed', failure_reason: 'INTERNAL_ERROR', updated_at: at }))) continue;
    settled++;
    const bank = deps.banks.get(session.bank_identifier ?? '');
    if (bank && session.consent_id) await revokeQuietly(deps, bank, session.consent_id);
    deps.log.warn({ link_session: session.id, consent_id: session.consent_id }, 'Link callback was cut short; journey failed and its consent revoked');
  }
  return settled;
}
