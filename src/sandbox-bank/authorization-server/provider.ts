import Provider, { errors, type Grant, type KoaContextWithOIDC, type TokenArtifact } from 'oidc-provider';
import type { SandboxContext } from '../context.ts';
import { checkAuthorizationDetail, consentIdOfDetails } from '../uae/consent.ts';
import { API_PREFIX, RAR_TYPE } from '../../standards/uae-2.1/codes.ts';
import { errorPage, pickLocale } from '../pages.ts';
import type { BankKeys } from '../state.ts';
import { KSA_API_PATH } from '../../standards/ksa-2022.11/codes.ts';
import { sqliteAdapter } from './adapter.ts';
import { isMutualTls, peerCertificate, subjectMatches } from './certificate.ts';
import { ACR_SCA, type SandboxClientRegistration, type SandboxFapiProfile } from './registration.ts';

/**
 * One sandbox bank's authorization server: oidc-provider configured to the bank's FAPI profile
 * (FAPI 2.0 Security Profile or FAPI 1.0 Advanced Final), with PAR, signed request objects
 * (RFC 9101), PKCE S256, mutual TLS client authentication and certificate-bound tokens
 * (RFC 8705), and openlean as its one static client. Routes are relative to the issuer
 * `{baseUrl}/{BANK}`; the mount (mount.ts) strips that prefix. The login, one-time code and
 * account choice are the bank's own pages (interaction-pages.ts).
 */

/** oidc-provider route names → paths under the issuer. */
export const ROUTES = {
  authorization: '/authorize',
  pushed_authorization_request: '/par',
  token: '/token',
  revocation: '/revoke',
  userinfo: '/userinfo',
  jwks: '/jwks',
} as const;

/** Endpoints only served over mutual TLS, and announced in `mtls_endpoint_aliases` (RFC 8705 §5). */
export const MTLS_ONLY: ReadonlySet<string> = new Set([ROUTES.token, ROUTES.pushed_authorization_request, ROUTES.revocation, ROUTES.userinfo]);

export const INTERACTION_TTL_SECONDS = 30 * 60;
const CODE_TTL_SECONDS = 5 * 60;
const LONG_TTL_SECONDS = 365 * 24 * 3600;
/** FAPI 1.0 Advanced §5.2.2-13 / FAPI 2.0 §5.3.2.1: request objects live at most an hour. */
const MAX_REQUEST_OBJECT_LIFETIME_SECONDS = 3600;

/** The OBIE consent id a request asks to authorise: the `openbanking_intent_id` essential claim's value (OBIE FAPI profile). */
export function intentIdOf(claims: unknown): string | null {
  let parsed = claims;
  if (typeof claims === 'string') {
    try {
      parsed = JSON.parse(claims);
    } catch {
      return null;
    }
  }
  const value = (parsed as { id_token?: { openbanking_intent_id?: { value?: unknown } } } | null)?.id_token?.openbanking_intent_id?.value;
  return typeof value === 'string' && value ? value : null;
}

/** KSA Open Banking binds the consent through the scope instead: `accounts:<ConsentId>`. */
const CONSENT_SCOPE = /(?:^|\s)accounts:(\S+)/;

/** The consent id of an `accounts:<ConsentId>` scope (KSA), or null. */
export function consentIdOfScope(scope: unknown): string | null {
  const m = typeof scope === 'string' ? CONSENT_SCOPE.exec(scope) : null;
  return m ? m[1]! : null;
}

/** The consent a request asks to authorise, by either binding: OBIE's intent claim or KSA's scope. */
export const consentIdOfRequest = (claims: unknown, scope: unknown): string | null => intentIdOf(claims) ?? consentIdOfScope(scope);

/** Extra claim of access tokens: the bank's clock (ms) when it was issued. */
const BANK_ISSUED_AT = 'sandbox_issued_at';

/** When an access token expires on the bank's clock (`ctx.now()`), in ms: its lifetime counted from its issue on that clock. */
export function expiresAtOnBankClock(token: TokenArtifact): number {
  const issued = token.extra?.[BANK_ISSUED_AT];
  return typeof issued === 'number' ? issued + (token.exp - token.iat) * 1000 : token.exp * 1000;
}

/** The consent a token was issued for (`extraTokenClaims` puts it in every access token of the code grant). */
export const intentIdOfToken = (token: TokenArtifact): string | null =>
  typeof token.extra?.openbanking_intent_id === 'string'
    ? token.extra.openbanking_intent_id
    : (consentIdOfRequest(token.claims, token.scope) ?? consentIdOfDetails((token as TokenArtifact & { rar?: unknown }).rar));

export interface BankProviderOptions {
  bank: SandboxFapiProfile;
  client: SandboxClientRegistration;
  keys: BankKeys;
  issuer: string;
  /** `https://host:port{prefix}/{BANK}` on the TLS listener. */
  tlsIssuer: string;
  ctx: SandboxContext;
}

/** Registered only to satisfy oidc-provider's client validation when openlean's callbacks are all http (registration.ts). */
const UNUSED_REDIRECT_URI = 'https://openlean.invalid/link/callback';

const isHttpUrl = (value: string) => {
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && !url.hash;
  } catch {
    return false;
  }
};

export function createBankProvider({ bank, client, keys, issuer, tlsIssuer, ctx }: BankProviderOptions): Provider {
  const fapi2 = bank.security_profile === 'fapi2';
  const uae = bank.standard === 'uae-2.1';
  const hybrid = bank.response_type === 'code id_token';
  const ksa = bank.standard === 'ksa-2022.11';
  // KSA: tokens are aimed at the bank's account-information API (a resource indicator, RFC 8707),
  // whose scopes include the per-consent `accounts:<ConsentId>`; oidc-provider keeps only the OIDC
  // scopes it is configured with, and grants any other scope only for a resource server that has it.
  const ksaResource = `${tlsIssuer}${KSA_API_PATH}`;

  /** The resource server's scopes: `accounts`, plus the consent scope this request may carry (below). */
  const ksaResourceScope = (koa: KoaContextWithOIDC, indicator: string): string => {
    const scopes = ['accounts'];
    if (koa.oidc.route === 'token') {
      // Code, refresh: the consent scope granted at the interaction (its consent was authorised there;
      // a refresh of a consent no longer in force is refused in findAccount).
      const granted = (koa.oidc.entities.Grant as Grant | undefined)?.getResourceScope(indicator);
      const consentId = consentIdOfScope(granted);
      if (consentId) scopes.push(`accounts:${consentId}`);
    } else {
      // PAR, authorization: the consent scope asked for, while that consent awaits authorisation.
      const consentId = consentIdOfScope(koa.oidc.params?.scope);
      const consent = consentId ? ctx.state.consent(bank.identifier, consentId) : null;
      if (consent?.status === 'AwaitingAuthorisation') scopes.push(`accounts:${consent.id}`);
    }
    return scopes.join(' ');
  };

  /** Refuses a request whose consent does not exist here or is not awaiting authorisation. */
  const assertConsentAwaiting = (consentId: string | null) => {
    if (!consentId) throw new errors.InvalidRequestObject('claims.id_token.openbanking_intent_id.value (the OBIE consent id) or an accounts:<ConsentId> scope is required');
    const consent = ctx.state.consent(bank.identifier, consentId);
    if (!consent) throw new errors.InvalidRequestObject(`consent ${consentId} was not found`);
    if (consent.status !== 'AwaitingAuthorisation') throw new errors.InvalidRequestObject(`consent ${consentId} is ${consent.status}, not AwaitingAuthorisation`);
  };

  // oidc-provider refuses to register http callbacks for the hybrid flow (an implicit grant) and an
  // empty list; the callbacks actually used are allowed at run time whatever is registered (below).
  const registered = client.redirect_uris.filter((uri) => !hybrid || uri.startsWith('https:'));
  const redirectUris = registered.length > 0 ? registered : [UNUSED_REDIRECT_URI];

  const provider = new Provider(issuer, {
    adapter: sqliteAdapter(ctx.state, bank.identifier),
    jwks: keys.jwks,
    cookies: { keys: [keys.cookieSecret] },
    clients: [
      {
        client_id: client.client_id,
        client_name: 'openlean',
        token_endpoint_auth_method: bank.client_auth,
        ...(bank.client_auth === 'private_key_jwt' ? { token_endpoint_auth_signing_alg: bank.signing_alg } : { tls_client_auth_subject_dn: client.tls_client_auth_subject_dn }),
        // Request objects are checked with these keys whatever the client authentication.
        jwks: client.jwks,
        tls_client_certificate_bound_access_tokens: true,
        request_object_signing_alg: bank.signing_alg,
        id_token_signed_response_alg: keys.idTokenAlg,
        redirect_uris: redirectUris,
        response_types: [bank.response_type],
        // OIDC Core §3.3: the hybrid flow's front-channel ID token is an implicit grant.
        grant_types: ['authorization_code', 'refresh_token', 'client_credentials', ...(hybrid ? ['implicit'] : [])],
        // Only configured (OIDC) scopes are checked against this list; KSA's `accounts:<ConsentId>` are resource scopes.
        scope: 'openid accounts',
        ...(uae ? { authorization_details_types: [RAR_TYPE] } : {}),
      },
    ],
    clientAuthMethods: ['private_key_jwt', 'tls_client_auth'],
    enabledJWA: {
      clientAuthSigningAlgValues: ['PS256', 'ES256'],
      requestObjectSigningAlgValues: ['PS256', 'ES256'],
      idTokenSigningAlgValues: ['PS256', 'ES256', 'RS256'],
    },
    responseTypes: ['code', 'code id_token'],
    scopes: ['openid', 'accounts'],
    claims: { openid: ['sub'], acr: null, openbanking_intent_id: null },
    acrValues: [ACR_SCA],
    pkce: { required: () => true },
    routes: ROUTES,
    discovery: {
      mtls_endpoint_aliases: Object.fromEntries(
        (
          [
            ['token_endpoint', ROUTES.token],
            ['pushed_authorization_request_endpoint', ROUTES.pushed_authorization_request],
            ['revocation_endpoint', ROUTES.revocation],
            ['userinfo_endpoint', ROUTES.userinfo],
          ] as const
        ).map(([name, path]) => [name, `${tlsIssuer}${path}`]),
      ),
      ui_locales_supported: ['en', 'ar'],
    },
    features: {
      fapi: { enabled: true, profile: fapi2 ? '2.0' : '1.0 Final' },
      devInteractions: { enabled: false },
      rpInitiatedLogout: { enabled: false },
      revocation: { enabled: true },
      claimsParameter: { enabled: true },
      // The bank's API as a resource server (RFC 8707), opaque tokens: KSA grants its consent's
      // dynamic scope `accounts:<ConsentId>` there; oidc-provider wants UAE's RAR tokens aimed at one.
      resourceIndicators: ksa
        ? {
            enabled: true,
            defaultResource: () => ksaResource,
            useGrantedResource: () => true,
            getResourceServerInfo: (koa: KoaContextWithOIDC, indicator: string) => {
              if (indicator !== ksaResource) throw new errors.InvalidTarget(`${bank.name} serves one resource: ${ksaResource}`);
              return { scope: ksaResourceScope(koa, indicator), accessTokenFormat: 'opaque', accessTokenTTL: ctx.accessTokenTtlSeconds };
            },
          }
        : {
            enabled: uae,
            defaultResource: () => `${tlsIssuer}${API_PREFIX}`,
            useGrantedResource: () => true,
            getResourceServerInfo: () => ({ scope: 'accounts', accessTokenFormat: 'opaque', accessTokenTTL: ctx.accessTokenTtlSeconds }),
          },
      clientCredentials: { enabled: true },
      // UAE v2.1: the consent is the RAR object; it is created here when the request is pushed.
      richAuthorizationRequests: {
        enabled: uae,
        types: {
          [RAR_TYPE]: {
            validate(koa: KoaContextWithOIDC, detail: unknown) {
              const checked = checkAuthorizationDetail(detail);
              if (!checked.ok) throw new errors.InvalidAuthorizationDetails(`${RAR_TYPE}: ${checked.problem}`);
              const { consent } = checked.value;
              const existing = ctx.state.consent(bank.identifier, consent.ConsentId);
              if (existing) {
                // The authorization endpoint sees the pushed request again: same consent, still waiting.
                if (existing.status !== 'AwaitingAuthorisation') throw new errors.InvalidAuthorizationDetails(`consent ${consent.ConsentId} is ${existing.status}`);
                return;
              }
              if (koa.oidc.route !== 'pushed_authorization_request') throw new errors.InvalidAuthorizationDetails(`consent ${consent.ConsentId} was not pushed`);
              ctx.state.createConsent({
                id: consent.ConsentId,
                bank: bank.identifier,
                permissions: consent.Permissions as never,
                at: ctx.now().toISOString(),
                expiresAt: new Date(consent.ExpirationDateTime).toISOString(),
                transactionsFrom: consent.FromDate ? new Date(consent.FromDate).toISOString() : null,
                transactionsTo: consent.ToDate ? new Date(`${consent.ToDate}T23:59:59.999Z`).toISOString() : null,
              });
            },
          },
        },
        authorizationDetailsForGrantSource: (koa: KoaContextWithOIDC) => JSON.parse(String(koa.oidc.params?.authorization_details ?? '[]')),
        authorizationDetailsForAccessToken: (_koa: KoaContextWithOIDC, _token: unknown, source: { rar?: unknown }) => source?.rar,
        authorizationDetailsForIntrospection: (_koa: KoaContextWithOIDC, token: { rar?: unknown }) => token.rar,
      },
      pushedAuthorizationRequests: { enabled: true, requirePushedAuthorizationRequests: fapi2 || bank.par },
      requestObjects: {
        enabled: true,
        requireSignedRequestObject: true,
        // oidc-provider's own FAPI checks (defaults.js assertJwtClaimsAndHeader), plus the OBIE consent.
        async assertJwtClaimsAndHeader(_ctx: KoaContextWithOIDC, claims: Record<string, unknown>) {
          for (const claim of ['exp', 'aud', 'nbf']) {
            if (claims[claim] === undefined) throw new errors.InvalidRequestObject(`Request Object is missing the '${claim}' claim`);
          }
          const lifetime = (claims.exp as number) - (claims.nbf as number);
          if (!(lifetime > 0 && lifetime <= MAX_REQUEST_OBJECT_LIFETIME_SECONDS)) throw new errors.InvalidRequestObject("Request Object 'exp' claim too far from 'nbf' claim");
          // A UAE consent is created from the authorization details (below), not looked up; a KSA one is named by the scope.
          if (!uae) assertConsentAwaiting(ksa ? consentIdOfScope(claims.scope) : intentIdOf(claims.claims));
        },
      },
      mTLS: {
        enabled: true,
        certificateBoundAccessTokens: true,
        tlsClientAuth: true,
        getCertificate: (koa: KoaContextWithOIDC) => peerCertificate(koa.req.socket) ?? undefined,
        certificateAuthorized: (koa: KoaContextWithOIDC) => isMutualTls(koa.req.socket),
        certificateSubjectMatches: (koa: KoaContextWithOIDC, property: string, expected: string) => {
          const certificate = peerCertificate(koa.req.socket);
          return property === 'tls_client_auth_subject_dn' && certificate !== null && subjectMatches(certificate, expected);
        },
      },
    },
    interactions: {
      url: (_koa: KoaContextWithOIDC, interaction: { uid: string }) => `${ctx.prefix}/${bank.identifier}/interaction/${interaction.uid}`,
    },
    // A fresh consent every time: never satisfy a request from an earlier grant of the session.
    async loadExistingGrant(koa: KoaContextWithOIDC & { oidc: { result?: { consent?: { grantId?: string } } } }) {
      const grantId = koa.oidc.result?.consent?.grantId;
      return grantId ? (koa.oidc.provider as unknown as { Grant: { find(id: string): Promise<unknown> } }).Grant.find(grantId) : undefined;
    },
    // The user is the sandbox login; the consent travels in the requested claims. A refresh of a
    // consent no longer in force is refused (the code exchange is not: the data is, at the API).
    async findAccount(koa: KoaContextWithOIDC, sub: string, token?: TokenArtifact) {
      const consentId = token ? intentIdOfToken(token) : null;
      if (koa.oidc.route === 'token' && koa.oidc.params?.grant_type === 'refresh_token' && consentId) {
        const consent = ctx.state.consent(bank.identifier, consentId);
        const status = consent ? ctx.consentStatus(consent, ctx.faults(bank.identifier, consent.login), ctx.now().getTime()) : 'Revoked';
        if (status !== 'Authorised') throw new errors.InvalidGrant(`The consent is ${status.toLowerCase()}`);
      }
      return {
        accountId: sub,
        claims: (_use: string, _scope: string, claims: Record<string, { value?: unknown } | null> | undefined) => ({
          sub,
          ...(typeof claims?.openbanking_intent_id?.value === 'string' ? { openbanking_intent_id: claims.openbanking_intent_id.value } : {}),
        }),
      };
    },
    // The bank's clock at issue (`ctx.now()`, which tests move), so the OBIE API judges expiry on it.
    async extraTokenClaims(_koa: KoaContextWithOIDC, token: TokenArtifact & { kind: string }) {
      const consentId = token.kind === 'AccessToken' ? (consentIdOfRequest(token.claims, token.scope) ?? consentIdOfDetails((token as TokenArtifact & { rar?: unknown }).rar)) : null;
      return { [BANK_ISSUED_AT]: ctx.now().getTime(), ...(consentId ? { openbanking_intent_id: consentId } : {}) };
    },
    issueRefreshToken: async (_koa: KoaContextWithOIDC, _client: unknown, code: { kind: string }) => code.kind !== 'ClientCredentials',
    rotateRefreshToken: true,
    ttl: {
      AccessToken: ctx.accessTokenTtlSeconds,
      ClientCredentials: ctx.accessTokenTtlSeconds,
      AuthorizationCode: CODE_TTL_SECONDS,
      IdToken: 3600,
      Interaction: INTERACTION_TTL_SECONDS,
      PushedAuthorizationRequest: 90,
      RefreshToken: LONG_TTL_SECONDS,
      Grant: LONG_TTL_SECONDS,
      Session: 24 * 3600,
    },
    async renderError(koa: KoaContextWithOIDC & { type: string; query: Record<string, unknown> }, out: { error_description?: string; error: string }) {
      koa.type = 'html';
      koa.body = errorPage(pickLocale(koa.query?.ui_locales), bank.name, out.error_description ?? out.error);
    },
  });

  // The sandbox takes any http(s) callback openlean is configured with (registration.ts).
  provider.Client.prototype.redirectUriAllowed = function (this: { redirectUris: string[] }, value: string) {
    return this.redirectUris.includes(value) || isHttpUrl(value);
  };
  return provider;
}

/**
 * The grant approving the user's consent: `openid accounts` and the `openbanking_intent_id` claim;
 * for a bank whose API is a resource server (UAE, KSA), also `scope` for that `resource` (RFC 8707):
 * `accounts` (UAE), `accounts accounts:<ConsentId>` (KSA).
 */
export async function grantConsent(provider: Provider, login: string, clientId: string, resourceScope?: { resource: string; scope: string }): Promise<string> {
  const grant = new provider.Grant({ accountId: login, clientId });
  grant.addOIDCScope('openid accounts');
  if (resourceScope) grant.addResourceScope(resourceScope.resource, resourceScope.scope);
  grant.addOIDCClaims(['openbanking_intent_id', 'acr']);
  return grant.save();
}
