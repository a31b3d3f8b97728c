import type Provider from 'oidc-provider';
import type { Interaction } from 'oidc-provider';
import type { SandboxBank, SandboxContext } from '../context.ts';
import { JourneyError } from '../errors.ts';
import { API_PREFIX } from '../../standards/uae-2.1/codes.ts';
import { consentIdOfDetails } from '../uae/consent.ts';
import { consentIdOfRequest, consentIdOfScope, grantConsent } from './provider.ts';
import { ACR_SCA } from './registration.ts';

/**
 * How an oidc-provider interaction ends, whoever drives it (the bank's pages or the control
 * API): the result is stored on the interaction, and the caller sends the user agent to its
 * `returnTo` (the authorization endpoint's resume URL), where oidc-provider answers the client.
 */

/** The consent the interaction is for; it must still await authorisation. */
export function consentOf(ctx: SandboxContext, bank: SandboxBank, interaction: Interaction) {
  const consentId = consentIdOfRequest(interaction.params.claims, interaction.params.scope) ?? consentIdOfDetails(interaction.params.authorization_details);
  const consent = consentId ? ctx.state.consent(bank.identifier, consentId) : null;
  if (!consent) throw new JourneyError(`Consent ${consentId ?? '(none)'} was not found at ${bank.name}`);
  if (consent.status !== 'AwaitingAuthorisation') throw new JourneyError(`Consent ${consent.id} is ${consent.status}, not AwaitingAuthorisation`, 409);
  return consent;
}

/** Stores the result (for the rest of the interaction's lifetime) and answers where the user agent goes next. */
async function finish(interaction: Interaction, result: Record<string, unknown>): Promise<string> {
  interaction.result = result;
  await interaction.save(Math.max(1, interaction.exp - Math.floor(Date.now() / 1000)));
  return interaction.returnTo;
}

/** Allow: the consent is authorised for these accounts, bound to the login, and a grant for `openid accounts` ends the interaction. */
export async function approve(ctx: SandboxContext, bank: SandboxBank, provider: Provider, interaction: Interaction, login: string, accountIds: string[]): Promise<string> {
  const consent = consentOf(ctx, bank, interaction);
  if (!ctx.state.authoriseConsent(consent.id, login, accountIds, ctx.now().toISOString())) {
    throw new JourneyError('The consent can no longer be authorised (it was revoked or already used).', 409);
  }
  // UAE and KSA: the grant is for the bank's API as a resource server. KSA's consent travels in
  // the scope, so the grant holds it there (for the resource the request was given, by default).
  const uae = consentIdOfDetails(interaction.params.authorization_details) !== null;
  const ksa = consentIdOfScope(interaction.params.scope) === consent.id && typeof interaction.params.resource === 'string';
  const resourceScope = uae
    ? { resource: `${ctx.tlsBaseUrl()}/${bank.identifier}${API_PREFIX}`, scope: 'accounts' }
    : ksa
      ? { resource: String(interaction.params.resource), scope: `accounts accounts:${consent.id}` }
      : undefined;
  const grantId = await grantConsent(provider, login, String(interaction.params.client_id), resourceScope);
  return finish(interaction, { login: { accountId: login, acr: ACR_SCA, amr: ['pwd', 'otp'] }, consent: { grantId } });
}

/** Deny: the consent is rejected and the client gets `access_denied`. */
export async function deny(ctx: SandboxContext, bank: SandboxBank, interaction: Interaction): Promise<string> {
  const consent = consentOf(ctx, bank, interaction);
  ctx.state.setConsentStatus(consent.id, 'Rejected', ['AwaitingAuthorisation'], ctx.now().toISOString());
  return finish(interaction, { error: 'access_denied', error_description: 'The user denied the request' });
}

/** Too many wrong one-time codes: `access_denied` / `otp_failed`; the consent stays AwaitingAuthorisation, so the user may start again. */
export const otpFailed = (interaction: Interaction): Promise<string> => finish(interaction, { error: 'access_denied', error_description: 'otp_failed' });
