import type { BankConnector } from '../connector.ts';
import type { BankDefinition } from '../bank.ts';
import { obieShapedFetch, reasonOf, type ObieConnectorOptions, type ObieEvent } from '../obie/connector.ts';
import { valid, type Checked, type ObieShapedReads, type RecordsOf } from '../obie/reads.ts';
import { connectorHttp, credentialsFrom, refused } from '../consent-session.ts';
import {
  mapAccountIdentities,
  mapAccounts,
  mapBalances,
  mapBeneficiaries,
  mapDirectDebits,
  mapIdentity,
  mapScheduledPayments,
  mapStandingOrders,
  mapTransactions,
} from './mapping.ts';
import { ksaPermissions } from './permissions.ts';
import { ConsentResponse, ITEMS, SingleParty } from './wire.ts';

/** The same options as the OBIE connector's: the FAPI layer, transports, timeouts, retries, circuit. */
export type KsaConnectorOptions = ObieConnectorOptions;
export type KsaEvent = ObieEvent;


/**
 * KSA's records, mappings and party for the shared OBIE-shaped read path. The user's party is at
 * `/parties`, one party (openlean's description) or the published specification's list, whose
 * first entry is the user.
 */
const KSA_READS: ObieShapedReads<RecordsOf<typeof ITEMS>, Checked<typeof SingleParty>> = {
  records: ITEMS,
  map: {
    accounts: mapAccounts,
    balances: mapBalances,
    transactions: mapTransactions,
    beneficiaries: mapBeneficiaries,
    direct_debits: mapDirectDebits,
    standing_orders: mapStandingOrders,
    scheduled_payments: mapScheduledPayments,
    account_identities: mapAccountIdentities,
  },
  identity: { path: '/parties', party: SingleParty, map: (party) => mapIdentity(Array.isArray(party) ? party[0] : party) },
};

const SCA_ACR = 'urn:openbanking:psd2:sca';

const apiBase = (bank: BankDefinition) => bank.api_base_url.replace(/\/+$/, '');

/**
 * The KSA Open Banking 2022.11 connector (docs/decisions/011-ksa-open-banking.md), OBIE-shaped:
 * the consent is posted with a client-credentials token, then bound to the user's authorization
 * through the scope `accounts:<ConsentId>` (not OBIE's intent claim), in a signed request object
 * pushed through PAR, answered in the hybrid `code id_token` flow when the bank is so configured.
 * Revocation is `PATCH` with `Status: Revoked`. Otherwise as the OBIE connector, whose paging,
 * HTTP layer, error vocabulary and token handling (`../consent-session.ts`) this shares.
 */
export function createKsaConnector(options: KsaConnectorOptions): BankConnector {
  const now = options.now ?? (() => new Date());
  const onEvent = options.onEvent ?? (() => {});
  const http = connectorHttp(options, onEvent);
  const { fapi, transports } = options;
  const clientToken = (bank: BankDefinition) => fapi.clientCredentials(bank, 'accounts');

  const fetchData = obieShapedFetch(options, http, KSA_READS);

  return {
    async startConsent(input) {
      const { bank } = input;
      const access = await clientToken(bank);
      const res = await http.send(bank.identifier, {
        method: 'POST',
        url: `${apiBase(bank)}/account-access-consents`,
        headers: { authorization: `Bearer ${access}`, 'content-type': 'application/json' },
        body: JSON.stringify({ Data: { Permissions: ksaPermissions(input.permissions), ExpirationDateTime: input.expires_at } }),
        fetch: transports.for(bank).fetch,
      });
      if (res.status !== 201 && res.status !== 200) throw refused('creating the consent', res, reasonOf(res));
      const consentId = valid(ConsentResponse, res.body, 'creating the consent').Data.ConsentId;
      const start = await fapi.authorizationRequest(bank, {
        redirect_uri: input.redirect_uri,
        scope: `openid accounts:${consentId}`,
        claims: { id_token: { acr: { essential: true, values: [SCA_ACR] } } },
        ...(input.language ? { ui_locales: input.language } : {}),
      });
      return { consent_id: consentId, ...start };
    },

    async exchangeCode(input) {
      const t = await fapi.exchangeCode(input.bank, {
        redirect_uri: input.redirect_uri,
        params: input.params,
        state: input.state,
        nonce: input.nonce,
        code_verifier: input.code_verifier,
      });
      return credentialsFrom(input.consent_id, t, null, now().getTime());
    },

    fetchData,

    async revokeConsent({ bank, consent_id }) {
      const access = await clientToken(bank);
      const res = await http.send(bank.identifier, {
        method: 'PATCH',
        url: `${apiBase(bank)}/account-access-consents/${encodeURIComponent(consent_id)}`,
        headers: { authorization: `Bearer ${access}`, 'content-type': 'application/json' },
        body: JSON.stringify({ Data: { Status: 'Revoked' } }),
        fetch: transports.for(bank).fetch,
      });
      // 404: the bank no longer knows the consent, which is what revoking it asks for.
      if (res.status !== 204 && res.status !== 200 && res.status !== 404) throw refused('revoking the consent', res, reasonOf(res));
    },
  };
}
