import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { SandboxBank, SandboxContext } from '../context.ts';
import { TRANSIENT_FAILURES } from '../faults.ts';
import type { BankKeys } from '../state.ts';
import { hasIdTokenFault, subjectOf, tamperIdToken } from './id-token-faults.ts';
import { initialBankKeys, type IdTokenAlg } from './keys.ts';
import { createBankProvider } from './provider.ts';
import type { SandboxClientRegistration } from './registration.ts';

export interface ProviderRegistry {
  /**
   * The bank's provider, built on first use: its issuer holds the HTTP port, known only once the
   * host listens. Rebuilt when the bank's keys changed (a rotation, maybe by another process).
   * Null when openlean has no registration at the bank.
   */
  get(bank: SandboxBank): { provider: Provider; keys: BankKeys } | null;
}

export function createProviderRegistry(ctx: SandboxContext, clients: Readonly<Record<string, SandboxClientRegistration>>, tlsBaseUrl: () => string): ProviderRegistry {
  const built = new Map<string, { provider: Provider; keys: BankKeys; issuer: string }>();

  const build = (bank: SandboxBank, client: SandboxClientRegistration, keys: BankKeys, issuer: string) => {
    const provider = createBankProvider({ bank, client, keys, issuer, tlsIssuer: `${tlsBaseUrl().replace(/\/+$/, '')}/${bank.identifier}`, ctx });
    provider.use(tokenLostAfterRotation(ctx, bank));
    provider.use(idTokenFaults(ctx, bank, keys));
    return provider;
  };

  return {
    get(bank) {
      const client = clients[bank.identifier];
      if (!client) return null;
      const keys = ctx.state.bankKeys(bank.identifier, () => initialBankKeys(bank.signing_alg as IdTokenAlg));
      const issuer = `${ctx.baseUrl()}/${bank.identifier}`;
      const current = built.get(bank.identifier);
      if (current && current.keys.version === keys.version && current.issuer === issuer) return current;
      const next = { provider: build(bank, client, keys, issuer), keys, issuer };
      built.set(bank.identifier, next);
      return next;
    },
  };
}

/**
 * `token_lost_after_rotation`: the refresh grant is carried out (the refresh token rotates, the
 * old one is spent) but the answer is replaced by a 503, as if it was lost on the way back.
 */
function tokenLostAfterRotation(ctx: SandboxContext, bank: SandboxBank) {
  return async (koa: KoaContextWithOIDC, next: () => Promise<void>) => {
    await next();
    if (koa.oidc?.route !== 'token' || koa.oidc.params?.grant_type !== 'refresh_token' || koa.status !== 200) return;
    const login = koa.oidc.entities.Account?.accountId as string | undefined;
    const faults = ctx.faults(bank.identifier, login ?? null);
    const since = faults.get('token_lost_after_rotation');
    if (since === undefined || ctx.counters.next('token_lost_after_rotation', `${since} ${bank.identifier} ${login}`) > TRANSIENT_FAILURES.token_lost_after_rotation) return;
    koa.status = 503;
    koa.body = { error: 'temporarily_unavailable', error_description: 'The bank is temporarily unavailable' };
  };
}

/** The ID-token faults of the user's login (and the bank's), on the token response and the hybrid flow's front channel. */
function idTokenFaults(ctx: SandboxContext, bank: SandboxBank, keys: BankKeys) {
  const faultsOf = (idToken: string) => ctx.faults(bank.identifier, subjectOf(idToken));
  return async (koa: KoaContextWithOIDC, next: () => Promise<void>) => {
    await next();
    const body = koa.body as { id_token?: unknown } | null;
    if (koa.oidc?.route === 'token' && typeof body?.id_token === 'string') {
      const faults = faultsOf(body.id_token);
      if (hasIdTokenFault(faults)) body.id_token = await tamperIdToken(body.id_token, faults, keys);
      return;
    }
    // OIDC Core §3.3.2.5: the hybrid answer is a redirect with the ID token in the fragment.
    const location = koa.status >= 300 && koa.status < 400 ? koa.response.get('location') : undefined;
    if (!location?.includes('id_token=')) return;
    const url = new URL(location);
    const fragment = new URLSearchParams(url.hash.slice(1));
    const idToken = fragment.get('id_token');
    if (!idToken) return;
    const faults = faultsOf(idToken);
    if (!hasIdTokenFault(faults)) return;
    fragment.set('id_token', await tamperIdToken(idToken, faults, keys));
    url.hash = fragment.toString();
    koa.set('location', url.toString());
  };
}
