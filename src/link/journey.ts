import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { AuditActor } from '../audit/recorder.ts';
import { open, seal } from '../auth/secret-box.ts';
import { ExpiredTokenError } from '../auth/tokens.ts';
import { BankError, type BankConnector, type BankCredentials } from '../banks/connector.ts';
import type { BankDefinition } from '../banks/bank.ts';
import type { AppContext } from '../context.ts';
import { isPermission, normalizePermissions, PERMISSIONS, type Permission } from '../domain/permissions.ts';
import { createConnectedEntity, reconnectEntity } from '../entities/connect-entity.ts';
import { ApiError } from '../errors/api-error.ts';
import { getApplication } from '../store/applications.ts';
import { findCustomer } from '../store/customers.ts';
import { getEntity } from '../store/entities.ts';
import { advanceLinkSession, deleteStaleLinkSessions, findLinkSessionByState, getLinkSession, insertLinkSession } from '../store/link-sessions.ts';
import type { CustomerRow, LinkSessionRow, LinkSessionStatus } from '../store/schema.ts';
import type { Language } from './messages.ts';
import type { LinkResultMessage } from './pages.ts';
import { LinkError, type LinkReason, type ReturnTarget } from './reasons.ts';

/**
 * The hosted consent journey as operations on its `link_sessions` row: open it from a verified
 * customer token, send the user to the bank, and settle it when the bank sends the user back.
 * Nothing is created until the code was exchanged; a journey that fails leaves only its row,
 * marked failed.
 */

/** From the first page to the bank's callback. */
const JOURNEY_TTL_MS = 15 * 60_000;
const CONSENT_DAYS = 90;
/** Where the bank sends the user back to, under the public URL. */
const CALLBACK_PATH = '/link/callback';
/** Journey rows are kept this long past their expiry, for support; then removed. */
const KEEP_MS = 24 * 3600_000;

const randomId = () => randomBytes(32).toString('base64url');

/** The caller's `redirect_uri`: an absolute http(s) URL without a fragment; https only in production. */
function parseRedirectUri(value: string, mode: AppContext['config']['mode']): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error('redirect_uri must be an absolute URL');
  }
  const schemes = mode === 'production' ? ['https:'] : ['https:', 'http:'];
  if (!schemes.includes(url.protocol)) throw new Error(`redirect_uri must be an ${mode === 'production' ? 'https' : 'http(s)'} URL`);
  if (value.includes('#')) throw new Error('redirect_uri must not have a fragment');
  if (url.username || url.password) throw new Error('redirect_uri must not carry credentials');
  return url.toString();
}

/** The SDK's page origin (`https://shop.example`), which the popup posts its result to. */
function parseOrigin(value: string): string {
  let url: URL | null = null;
  try {
    url = new URL(value);
  } catch {
    // Refused below with the other malformed values.
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || url.origin !== value) {
    throw new Error('origin must be a web origin such as https://app.example');
  }
  return value;
}

/**
 * Where the journey's result may go. The origin is checked first, so that a bad `redirect_uri`
 * can still be reported to the SDK's opener.
 */
export function parseTarget(query: { origin?: string; redirect_uri?: string }, mode: AppContext['config']['mode']): ReturnTarget {
  let origin: string | null = null;
  try {
    if (query.origin !== undefined) origin = parseOrigin(query.origin);
    return { origin, redirectUri: query.redirect_uri === undefined ? null : parseRedirectUri(query.redirect_uri, mode) };
  } catch (err) {
    throw new LinkError(400, 'INVALID_REQUEST', (err as Error).message, { origin, redirectUri: null });
  }
}

/** `accounts,balance,…` in Lean's vocabulary; undefined asks for all of them. */
export function parsePermissions(value: string | undefined, target: ReturnTarget): Permission[] {
  if (value === undefined) return [...PERMISSIONS];
  const items = value.split(',').map((p) => p.trim());
  const unknown = items.filter((p) => !isPermission(p));
  if (unknown.length > 0) {
    throw new LinkError(400, 'INVALID_REQUEST', `permissions must be a comma-separated list of ${PERMISSIONS.join(', ')}; got ${JSON.stringify(unknown.join(','))}`, target);
  }
  return normalizePermissions(items as Permission[]);
}

/** A bank of the registry that can serve `permissions`. */
export function bankFor(ctx: AppContext, identifier: string, permissions: readonly Permission[], target: ReturnTarget | null = null): BankDefinition {
  const bank = ctx.banks.get(identifier);
  if (!bank || !bank.capabilities.includes('data')) throw new LinkError(400, 'INVALID_REQUEST', `Unknown bank_identifier ${JSON.stringify(identifier)}`, target);
  const unsupported = permissions.filter((p) => !bank.permissions.includes(p));
  if (unsupported.length > 0) throw new LinkError(400, 'INVALID_REQUEST', `${bank.identifier} does not support ${unsupported.join(', ')}`, target);
  return bank;
}

export function banksFor(ctx: AppContext, permissions: readonly Permission[]): BankDefinition[] {
  return ctx.banks.list().filter((b) => b.capabilities.includes('data') && permissions.every((p) => b.permissions.includes(p)));
}

/**
 * The customer a `customer.<id>` token acts for. A genuine token past its expiry is TOKEN_EXPIRED
 * and may send the user back to the caller; anything else is TOKEN_INVALID and may not, since
 * nothing proves who built the link.
 */
export async function customerOfToken(ctx: AppContext, token: string, target: ReturnTarget): Promise<CustomerRow> {
  let principal;
  try {
    principal = await ctx.tokens.verify(token);
  } catch (err) {
    if (err instanceof ExpiredTokenError) throw new LinkError(401, 'TOKEN_EXPIRED', err.message, target);
    if (err instanceof ApiError) throw new LinkError(401, 'TOKEN_INVALID', err.message, { redirectUri: null, origin: target.origin });
    throw err;
  }
  if (principal.scope.kind !== 'customer') {
    throw new LinkError(403, 'TOKEN_INVALID', 'The link needs a customer-scoped token (scope customer.<customer_id>), never a backend one', {
      redirectUri: null,
      origin: target.origin,
    });
  }
  const customer = await findCustomer(ctx.store.read, principal.appId, principal.scope.customerId);
  if (!customer) throw new LinkError(404, 'INVALID_REQUEST', `Customer ${principal.scope.customerId} was not found`, target);
  return customer;
}

export interface NewJourney extends ReturnTarget {
  customer: CustomerRow;
  mode: 'connect' | 'reconnect';
  entityId: string | null;
  bank: BankDefinition | null;
  permissions: readonly Permission[];
  language: Language;
}

export async function openJourney(ctx: AppContext, j: NewJourney): Promise<LinkSessionRow> {
  const now = ctx.now();
  const at = now.toISOString();
  const row: LinkSessionRow = {
    id: randomId(),
    app_id: j.customer.app_id,
    customer_id: j.customer.id,
    mode: j.mode,
    entity_id: j.entityId,
    bank_identifier: j.bank?.identifier ?? null,
    bank_fixed: j.bank ? 1 : 0,
    permissions: JSON.stringify(normalizePermissions(j.permissions)),
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
  await deleteStaleLinkSessions(ctx.store.db, new Date(now.getTime() - KEEP_MS).toISOString());
  await insertLinkSession(ctx.store.db, row);
  return row;
}

export const permissionsOf = (session: LinkSessionRow) => JSON.parse(session.permissions) as Permission[];

export const isExpired = (ctx: AppContext, session: LinkSessionRow) => Date.parse(session.expires_at) <= ctx.now().getTime();

/** The expiry the consent will be asked for, were the user to continue now. */
export const consentExpiryFrom = (now: Date) => new Date(now.getTime() + CONSENT_DAYS * 86_400_000).toISOString();

/** Ends a journey that has not reached its callback; undefined when it had already moved on. */
export async function failJourney(
  ctx: AppContext,
  session: LinkSessionRow,
  reason: LinkReason,
  from: readonly LinkSessionStatus[] = ['open', 'at_bank'],
): Promise<LinkSessionRow | undefined> {
  return advanceLinkSession(ctx.store.db, { id: session.id }, from, { status: 'failed', failure_reason: reason, updated_at: ctx.now().toISOString() });
}

export const verifierAad = (sessionId: string) => `link:${sessionId}`;

/**
 * Starts the consent at the bank and returns the URL to send the user to (in the journey's
 * language). Going back and continuing again starts a new consent; the old `state` stops working.
 * A bank that cannot start the consent ends the journey (BANK_UNAVAILABLE): null.
 */
export async function sendToBank(ctx: AppContext, session: LinkSessionRow, bank: BankDefinition): Promise<string | null> {
  const consentExpiresAt = consentExpiryFrom(ctx.now());
  let consent;
  try {
    consent = await ctx.connector.startConsent({
      bank,
      permissions: permissionsOf(session),
      expires_at: consentExpiresAt,
      redirect_uri: ctx.publicUrl() + CALLBACK_PATH,
      language: session.language,
    });
  } catch (err) {
    ctx.log.warn({ err, bank: bank.identifier, link_session: session.id }, 'could not start a consent for Link');
    await failJourney(ctx, session, err instanceof BankError ? 'BANK_UNAVAILABLE' : 'INTERNAL_ERROR');
    return null;
  }
  const moved = await advanceLinkSession(ctx.store.db, { id: session.id }, ['open', 'at_bank'], {
    status: 'at_bank',
    bank_identifier: bank.identifier,
    consent_id: consent.consent_id,
    consent_expires_at: consentExpiresAt,
    state: consent.state,
    nonce: consent.nonce,
    code_verifier: seal(ctx.encryptionKey, consent.code_verifier, verifierAad(session.id)),
    updated_at: ctx.now().toISOString(),
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

export async function settleCallback(ctx: AppContext, params: CallbackParams): Promise<{ settled: LinkSessionRow } | { invalid: LinkSessionRow | null }> {
  if (!params.state) return { invalid: null };
  const claimed = await advanceLinkSession(ctx.store.db, { state: params.state }, ['at_bank'], { status: 'returned', updated_at: ctx.now().toISOString() });
  if (!claimed) return { invalid: (await findLinkSessionByState(ctx.store.db, params.state)) ?? null };

  const fail = async (reason: LinkReason) => (await failJourney(ctx, claimed, reason, ['returned']))!;
  if (isExpired(ctx, claimed)) return { settled: await fail('STATE_INVALID') };
  if (params.error) return { settled: await fail(bankErrorReason(params.error, params.error_description)) };
  if (!params.code) return { settled: await fail('BANK_UNAVAILABLE') };

  const bank = ctx.banks.get(claimed.bank_identifier ?? '');
  if (!bank || !claimed.consent_id || !claimed.code_verifier || !claimed.consent_expires_at || !claimed.nonce) return { settled: await fail('INTERNAL_ERROR') };
  let credentials: BankCredentials;
  try {
    credentials = await ctx.connector.exchangeCode({
      bank,
      consent_id: claimed.consent_id,
      params: Object.fromEntries(Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined)),
      state: params.state,
      nonce: claimed.nonce,
      code_verifier: open(ctx.encryptionKey, claimed.code_verifier, verifierAad(claimed.id)),
      redirect_uri: ctx.publicUrl() + CALLBACK_PATH,
    });
  } catch (err) {
    ctx.log.warn({ err, bank: bank.identifier, link_session: claimed.id }, 'Link code exchange failed');
    return { settled: await fail(err instanceof BankError ? 'BANK_UNAVAILABLE' : 'INTERNAL_ERROR') };
  }

  try {
    const consentExpiresAt = new Date(claimed.consent_expires_at);
    let entityId: string;
    if (claimed.mode === 'reconnect') {
      const entity = await getEntity(ctx.store.db, claimed.entity_id ?? '');
      if (!entity || entity.status === 'REVOKED') {
        await revokeQuietly(ctx, bank, credentials.consent_id);
        return { settled: await fail('ENTITY_REVOKED') };
      }
      entityId = (await reconnectEntity(ctx, entity, { consentExpiresAt, credentials, by: LINK_ACTOR })).entity.id;
    } else {
      const customer = await findCustomer(ctx.store.db, claimed.app_id, claimed.customer_id);
      if (!customer) throw new Error(`customer ${claimed.customer_id} of a Link journey is gone`);
      entityId = (await createConnectedEntity(ctx, { customer, bank, permissions: permissionsOf(claimed), consentExpiresAt, credentials, by: LINK_ACTOR })).entity.id;
    }
    const done = await advanceLinkSession(ctx.store.db, { id: claimed.id }, ['returned'], {
      status: 'completed',
      result_entity_id: entityId,
      updated_at: ctx.now().toISOString(),
    });
    // Only a callback slower than STUCK_AFTER_MS (reconcile-callbacks.ts) finds that the workers settled it meanwhile.
    return { settled: done ?? (await getLinkSession(ctx.store.db, claimed.id))! };
  } catch (err) {
    // The consent is authorised at the bank but nothing here refers to it: withdraw it.
    ctx.log.error({ err, link_session: claimed.id }, 'Link could not record the connection');
    await revokeQuietly(ctx, bank, credentials.consent_id);
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

/** The result of a settled journey, as the callback parameters and the SDK's message carry it. */
export function resultOf(session: LinkSessionRow): LinkResultMessage {
  const ok = session.status === 'completed';
  return {
    source: 'openlean-link',
    status: ok ? 'SUCCESS' : 'ERROR',
    entity_id: ok ? session.result_entity_id : session.entity_id,
    customer_id: session.customer_id,
    reason: ok ? null : ((session.failure_reason as LinkReason | null) ?? 'INTERNAL_ERROR'),
  };
}

/** The caller's `redirect_uri` with the result: `status`, and `entity_id`, `customer_id`, `reason` when known. */
export function returnUrl(redirectUri: string, result: LinkResultMessage): string {
  const url = new URL(redirectUri);
  url.searchParams.set('status', result.status);
  for (const name of ['entity_id', 'customer_id', 'reason'] as const) {
    const value = result[name];
    if (value) url.searchParams.set(name, value);
  }
  return url.toString();
}

export async function appNameOf(ctx: AppContext, appId: string): Promise<string | null> {
  return (await getApplication(ctx.store.read, appId))?.name ?? null;
}
