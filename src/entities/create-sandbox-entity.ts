import { bankFailure } from '../banks/bank-failure.ts';
import type { BankConnector } from '../banks/connector.ts';
import type { BankDefinition } from '../banks/bank.ts';
import type { Logger } from 'pino';
import type { Permission } from '../domain/permissions.ts';
import { normalizePermissions } from '../domain/permissions.ts';
import { ApiError } from '../errors/api-error.ts';
import { createConnectedEntity, type ConnectDeps } from './connect-entity.ts';
import { authorizeAtSandboxBank } from '../sandbox-bank/automate-consent.ts';
import type { Profile } from '../sandbox-bank/generator/model.ts';
import type { AuditActor } from '../audit/recorder.ts';
import type { CustomerRow, EntityRow, RefreshRow } from '../store/schema.ts';

export interface SandboxEntityDeps extends ConnectDeps {
  /** Where the sandbox banks are; null in production mode. */
  sandboxBanks: { baseUrl: () => string } | null;
  /** The base URL the consent's redirect URI is under. */
  publicUrl: () => string;
  connector: BankConnector;
  log: Logger;
}

export interface SandboxEntityRequest {
  customer: CustomerRow;
  bank: BankDefinition;
  permissions: readonly Permission[];
  /** Which of the sandbox bank's users to connect as; the data is a pure function of (bank, login, profile). */
  login: string;
  profile: Profile;
  consentExpiresAt: Date;
  /** Who asked, for the audit trail. */
  by?: AuditActor;
}

function consentFailed(err: unknown): never {
  if (err instanceof ApiError) throw err;
  const detail = bankFailure(err)?.detail ?? 'the sandbox bank did not complete the consent';
  throw new ApiError('BANK_UNAVAILABLE', `Could not connect to the sandbox bank: ${detail}`);
}

/**
 * Creates an entity the way the hosted journey does, minus the browser: a consent at the sandbox
 * bank through the connector's FAPI path, authorised through the sandbox bank's control endpoint
 * for pending interactions (as the user `login`), then the code exchanged for tokens; the data arrives when the INITIAL refresh
 * finishes.
 */
export async function createSandboxEntity(deps: SandboxEntityDeps, req: SandboxEntityRequest): Promise<{ entity: EntityRow; refresh: RefreshRow }> {
  if (!deps.sandboxBanks) throw new ApiError('SANDBOX_DISABLED', 'Sandbox entities cannot be created when MODE=production');
  const permissions = normalizePermissions(req.permissions);
  const bankUrl = `${deps.sandboxBanks.baseUrl()}/${req.bank.identifier}`;
  const redirectUri = `${deps.publicUrl()}/link/callback`;
  let credentials;
  try {
    const settings = await fetch(`${bankUrl}/control/users/${encodeURIComponent(req.login)}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ profile: req.profile }),
    });
    if (!settings.ok) throw new Error(`the sandbox bank refused the user settings (${settings.status})`);
    const consent = await deps.connector.startConsent({ bank: req.bank, permissions, expires_at: req.consentExpiresAt.toISOString(), redirect_uri: redirectUri });
    const back = new URL(await authorizeAtSandboxBank(consent.authorize_url, { login: req.login }));
    // The hybrid flow answers in the fragment, the code flow in the query.
    const params = new URLSearchParams(back.hash.length > 1 ? back.hash.slice(1) : back.search);
    if (!params.get('code')) throw new Error(`the bank answered ${params.get('error') ?? 'without a code'}`);
    credentials = await deps.connector.exchangeCode({
      bank: req.bank,
      consent_id: consent.consent_id,
      params: Object.fromEntries(params),
      state: consent.state,
      nonce: consent.nonce,
      code_verifier: consent.code_verifier,
      redirect_uri: redirectUri,
    });
  } catch (err) {
    deps.log.warn({ err, bank: req.bank.identifier }, 'sandbox consent failed');
    consentFailed(err);
  }

  return createConnectedEntity(deps, { customer: req.customer, bank: req.bank, permissions, consentExpiresAt: req.consentExpiresAt, credentials, ...(req.by ? { by: req.by } : {}) });
}
