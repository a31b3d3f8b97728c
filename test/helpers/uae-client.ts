import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import * as client from 'openid-client';
import { authorizeAtSandboxBank } from '../../src/sandbox-bank/automate-consent.ts';
import { bankClient, clientToken, mtlsCall, REDIRECT_URI, testPki, type Reply } from './sandbox-fapi.ts';
import type { TestServer } from './server.ts';

/** Every UAE v2.1 read permission openlean's Lean reads rest on. */
export const UAE_READ_PERMISSIONS = [
  'ReadAccountsDetail',
  'ReadBalances',
  'ReadTransactionsDetail',
  'ReadBeneficiariesDetail',
  'ReadDirectDebits',
  'ReadStandingOrdersDetail',
  'ReadScheduledPaymentsDetail',
  'ReadParty',
  'ReadPartyUser',
  'ReadPartyUserIdentity',
];

/**
 * A bare UAE v2.1 client written for the tests, independent of openlean's connector: it pushes
 * its own consent as RAR `authorization_details` in a signed request object (FAPI 2.0, PAR), has
 * the login approve it, and reads the bank's raw responses (or manages a consent) over mutual TLS.
 */
export async function uaeSession(s: TestServer, bankId: string, login: string, permissions: readonly string[] = UAE_READ_PERMISSIONS) {
  const sandbox = { url: `${s.url}/sandbox-banks`, tlsUrl: s.server.ctx.sandboxBanks!.tlsBaseUrl(), pki: await testPki(), close: async () => {} };
  const c = await bankClient(sandbox, bankId);
  const api = `${sandbox.tlsUrl}/${bankId}/open-finance/account-information/v2.1`;
  const consentId = randomUUID();
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const detail = {
    type: 'urn:openfinanceuae:account-access-consent:v2.1',
    consent: {
      ConsentId: consentId,
      Permissions: permissions,
      ExpirationDateTime: `${new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 19)}+00:00`,
      OpenFinanceBilling: { UserType: 'Retail', Purpose: 'AccountAggregation' },
    },
  };
  const jar = await client.buildAuthorizationUrlWithJAR(
    c.config,
    {
      redirect_uri: REDIRECT_URI,
      scope: 'openid accounts',
      state,
      nonce,
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      authorization_details: JSON.stringify([detail]),
    },
    c.signingKey,
  );
  const url = await client.buildAuthorizationUrlWithPAR(c.config, jar.searchParams);
  const back = new URL(await authorizeAtSandboxBank(url.toString(), { login }));
  const tokens = await client.authorizationCodeGrant(c.config, back, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
  const call = (pathOrUrl: string, init: RequestInit = {}): Promise<Reply> => mtlsCall(c, pathOrUrl.startsWith('http') ? pathOrUrl : `${api}${pathOrUrl}`, init);

  const get = async (pathOrUrl: string) => {
    const res = await call(pathOrUrl, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    assert.equal(res.status, 200, `${pathOrUrl}: ${res.status} ${res.text}`);
    return res.body as { Data: Record<string, any>; Links: { Next?: string } };
  };
  /** Every item of `Data[key]` over all pages. */
  const all = async (path: string, key: string) => {
    const items: any[] = [];
    let next: string | undefined = path;
    while (next) {
      const page = await get(next);
      items.push(...(page.Data[key] ?? []));
      next = page.Links.Next;
    }
    return items;
  };
  /** A consent (this one or another, e.g. openlean's) as the bank reports it, read with a client-credentials token. */
  const consent = async (id: string = consentId) => call(`/account-access-consents/${encodeURIComponent(id)}`, { headers: { authorization: `Bearer ${await clientToken(c)}` } });
  return { consentId, api, accessToken: tokens.access_token, call, get, all, consent, clientToken: () => clientToken(c) };
}
