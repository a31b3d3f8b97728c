import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { AuditActor } from '../audit/recorder.ts';
import { open, seal } from '../auth/secret-box.ts';
import { bankFailure } from '../banks/bank-failure.ts';
import type { BankConnector, BankCredentials } from '../banks/connector.ts';
import type { BankDefinition } from '../banks/bank.ts';
import type { BankRegistry } from '../banks/registry.ts';
import { normalizePermissions, type Permission } from '../domain/permissions.ts';
import { createConnectedEntity, reconnectEntity, type ConnectDeps } from '../entities/connect-entity.ts';
import { findCustomer } from '../store/customers.ts';
import { getEntity } from '../store/entities.ts';
import { advanceLinkSession, deleteStaleLinkSessions, findLinkSessionByState, getLinkSession, insertLinkSession } from '../store/link-sessions.ts';
import type { CustomerRow, LinkSessionRow, LinkSessionStatus } from '../store/schema.ts';
import type { Language } from '../domain/language.ts';
import { LinkError, type LinkReason, type ReturnTarget } from './reasons.ts';

/**
 * The hosted consent journey as operations on its `link_sessions` row: open it from a verified
 * customer token, send the user to the bank, and settle it when the bank sends the user back.
 * Nothing is created until the code was exchanged; a journey that fails leaves only its row,
 * marked failed. The pages and their input are the HTTP layer's (src/api/link/).
 */

/** What the journey uses: an entity is connected at its end (`ConnectDeps`), through the bank's connector. */
export interface JourneyDeps extends ConnectDeps {
  banks: BankRegistry;
  connector: BankConnector;
  log: Logger;
  /** The base URL the bank sends the user back under. */
  publicUrl: () => string;
}

/** From the first page to the bank's callback. */
const JOURNEY_TTL_MS = 15 * 60_000;
const CONSENT_DAYS = 90;
/** Where the bank sends the user back to, under the public URL. */
const CALLBACK_PATH = '/link/callback';
/** Journey rows are kept this long past their expiry, for support; then removed. */
const KEEP_MS = 24 * 3600_000;

const randomId = () => randomBytes(32).toString('base64url');

export interface NewJourney extends ReturnTarget {
  customer: CustomerRow;
  mode: 'connect' | 'reconnect';
  entityId: string | null;
  bank: BankDefinition | null;
  permissions: readonly Permission[];
  language: Language;
}

export async function openJourney(deps: Pick<JourneyDeps, 'store' | 'now'>, j: NewJourney): Promise<LinkSessionRow> {
  const now = deps.now();
  const at = now.toISOString();
  const row: LinkSessionRow = {
    id: randomId(),
    app_id: j.customer.app_id,
    customer_id: j.customer.id,
    mode: j.mode,
    entity_id: j.entityId,
    bank_identifier: j.bank?.identifier ?? null,
    bank_fixed: j.bank ? 1 : 0,
    permissions: normalizePermissions(j.permissions),
    redirect_uri: j.redirectUri,
    origin: j.origin,
    language: j.language,
    consent_id: null,
    consent_expires_at: null,
    state: null,
    nonce: null,
    code_verifier: null,
    status: 'open',
    failure_reason: null,
    result_entity_id: null,
    expires_at: new Date(now.getTime() + JOURNEY_TTL_MS).toISOString(),
    created_at: at,
    updated_at: at,
  };
  await deleteStaleLinkSessions(deps.store.db, new Date(now.getTime() - KEEP_MS).toISOString());
  await insertLinkSession(deps.store.db, row);
  return row;
}

export const isExpired = (deps: Pick<JourneyDeps, 'now'>, session: LinkSessionRow) => Date.parse(session.expires_at) <= deps.now().getTime();

/** The expiry the consent will be asked for, were the user to continue now. */
export const consentExpiryFrom = (now: Date) => new Date(now.getTime() + CONSENT_DAYS * 86_400_000).toISOString();

/** Ends a journey that has not reached its callback; undefined when it had already moved on. */
export async function failJourney(
  deps: Pick<JourneyDeps, 'store' | 'now'>,
  session: LinkSessionRow,
  reason: LinkReason,
  from: readonly LinkSessionStatus[] = ['open', 'at_bank'],
): Promise<LinkSessionRow | undefined> {
  return advanceLinkSession(deps.store.db, { id: session.id }, from, { status: 'failed', failure_reason: reason, updated_at: deps.now().toISOString() });
}

export const verifierAad = (sessionId: string) => `link:${sessionId}`;

/**
 * Starts the consent at the bank and returns the URL to send the user to (in the journey's
 * language). Going back and continuing again starts a new consent; the old `state` stops working.
 * A bank that cannot start the consent ends the journey (BANK_UNAVAILABLE): null.
 */
export async function sendToBank(deps: JourneyDeps, session: LinkSessionRow, bank: BankDefinition): Promise<string | null> {
  const consentExpiresAt = consentExpiryFrom(deps.now());
  let consent;
  try {
    consent = await deps.connector.startConsent({
      bank,
      permissions: session.permissions,
      expires_at: consentExpiresAt,
      redirect_uri: deps.publicUrl() + CALLBACK_PATH,
      language: session.language,
    });
  } catch (err) {
    deps.log.warn({ err, bank: bank.identifier, link_session: session.id }, 'could not start a consent for Link');
    await failJourney(deps, session, bankFailure(err) ? 'BANK_UNAVAILABLE' : 'INTERNAL_ERROR');
    return null;
  }
  const moved = await advanceLinkSession(deps.store.db, { id: session.id }, ['open', 'at_bank'], {
    status: 'at_bank',
    bank_identifier: bank.identifier,
    consent_id: consent.consent_id,
    consent_expires_at: consentExpiresAt,
    state: consent.state,
    nonce: consent.nonce,
    code_verifier: seal(deps.encryptionKey, consent.code_verifier, verifierAad(session.id)),
    updated_at: deps.now().toISOString(),
  });
  if (!moved) throw new LinkError(409, 'STATE_INVALID', 'This journey has already ended');
  // The language travels inside the signed request object: parameters added here would not count.
  return consent.authorize_url;
}

/**
 * What the bank sent back to the redirect URI: `state`, then `code` (and in the hybrid flow
 * `id_token`), or `error` and `error_description` (RFC 6749 §4.1.2, OIDC Core §3.3.2.5), plus
 * whatever else the bank adds (`iss`, `session_state`), kept for the ID token's checks.
 */
export type CallbackParams = Readonly<Record<string, string | undefined>>;

/** What the bank's `error` means for the user; RFC 6749 §4.1.2.1 codes other than access_denied are the bank's fault. */
function bankErrorReason(error: string, description: string | undefined): LinkReason {
  if (error !== 'access_denied') return 'BANK_UNAVAILABLE';
  return description === 'otp_failed' ? 'OTP_FAILED' : 'USER_DENIED';
}

/**
 * Settles the journey the bank sent the user back for. The state is claimed first, so a replayed
 * or concurrent callback finds nothing to do (`invalid`). Returns the settled row.
 */
/**
 * The audit trail's actor of a consent given in the Link journey: the end user, in the browser (no
 * token of its own). Not the session id: it is in the journey's URLs, a capability.
 */
const LINK_ACTOR: AuditActor = { subject: null, request_id: null, detail: 'by the customer in the Link journey' };

export async function settleCallback(deps: JourneyDeps, params: CallbackParams): Promise<{ settled: LinkSessionRow } | { invalid: LinkSessionRow | null }> {
  if (!params.state) return { invalid: null };
  const claimed = await advanceLinkSession(deps.store.db, { state: params.state }, ['at_bank'], { status: 'returned', updated_at: deps.now().toISOString() });
  if (!claimed) return { invalid: (await findLinkSessionByState(deps.store.db, params.state)) ?? null };

  const fail = async (reason: LinkReason) => (await failJourney(deps, claimed, reason, ['returned']))!;
  if (isExpired(deps, claimed)) return { settled: await fail('STATE_INVALID') };
  if (params.error) return { settled: await fail(bankErrorReason(params.error, params.error_description)) };
  if (!params.code) return { settled: await fail('BANK_UNAVAILABLE') };

  const bank = deps.banks.get(claimed.bank_identifier ?? '');
  if (!bank || !claimed.consent_id || !claimed.code_verifier || !claimed.consent_expires_at || !claimed.nonce) return { settled: await fail('INTERNAL_ERROR') };
  let credentials: BankCredentials;
  try {
    credentials = await deps.connector.exchangeCode({
      bank,
      consent_id: claimed.consent_id,
      params: Object.fromEntries(Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined)),
      state: params.state,
      nonce: claimed.nonce,
      code_verifier: open(deps.encryptionKey, claimed.code_verifier, verifierAad(claimed.id)),
      redirect_uri: deps.publicUrl() + CALLBACK_PATH,
    });
  } catch (err) {
    deps.log.warn({ err, bank: bank.identifier, link_session: claimed.id }, 'Link code exchange failed');
    return { settled: await fail(bankFailure(err) ? 'BANK_UNAVAILABLE' : 'INTERNAL_ERROR') };
  }

  try {
    const consentExpiresAt = new Date(claimed.consent_expires_at);
    let entityId: string;
    if (claimed.mode === 'reconnect') {
      const entity = await getEntity(deps.store.db, claimed.entity_id ?? '');
      if (!entity || entity.status === 'REVOKED') {
        await revokeQuietly(deps, bank, credentials.consent_id);
        return { settled: await fail('ENTITY_REVOKED') };
      }
      entityId = (await reconnectEntity(deps, entity, { consentExpiresAt, credentials, by: LINK_ACTOR })).entity.id;
    } else {
      const customer = await findCustomer(deps.store.db, claimed.app_id, claimed.customer_id);
      if (!customer) throw new Error(`customer ${claimed.customer_id} of a Link journey is gone`);
      entityId = (await createConnectedEntity(deps, { customer, bank, permissions: claimed.permissions, consentExpiresAt, credentials, by: LINK_ACTOR })).entity.id;
    }
    const done = await advanceLinkSession(deps.store.db, { id: claimed.id }, ['returned'], {
      status: 'completed',
      result_entity_id: entityId,
      updated_at: deps.now().toISOString(),
    });
    // Only a callback slower than STUCK_AFTER_MS (reconcile-callbacks.ts) finds that the workers settled it meanwhile.
    return { settled: done ?? (await getLinkSession(deps.store.db, claimed.id))! };
  } catch (err) {
    // The consent is authorised at the bank but nothing here refers to it: withdraw it.
    deps.log.error({ err, link_session: claimed.id }, 'Link could not record the connection');
    await revokeQuietly(deps, bank, credentials.consent_id);
    return { settled: await fail('INTERNAL_ERROR') };
  }
}

/** Withdraws a consent nothing here refers to; if the bank cannot be reached, it expires there. */
export async function revokeQuietly(deps: { connector: BankConnector; log: Logger }, bank: BankDefinition, consentId: string): Promise<void> {
  try {
    await deps.connector.revokeConsent({ bank, consent_id: consentId });
  } catch (err) {
    deps.log.warn({ err, bank: bank.identifier }, 'could not revoke an unused consent; it expires at the bank');
  }
}
