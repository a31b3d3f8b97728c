import type { DataResource } from '../../domain/permissions.ts';
import type { BankConnector, FetchDataInput, FetchDataResult } from '../connector.ts';
import type { BankDefinition } from '../bank.ts';
import type { BankTransports } from '../security/bank-transport.ts';
import { connectorHttp, credentialsFrom, refused } from '../consent-session.ts';
import type { FapiClient } from '../security/fapi-client.ts';
import type { BankHttp, HttpEvent, HttpResponse } from './http.ts';
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
import { obiePermissions } from './permissions.ts';
import { readObieShaped, valid, type Checked, type ListRecords, type ObieShapedDeps, type ObieShapedReads, type RecordsOf } from './reads.ts';
import { check, ConsentResponse, ITEMS, OAuthErrorBody, ObieErrorBody, SingleParty } from './wire.ts';

export interface ObieConnectorOptions {
  /** The FAPI security layer: discovery, PAR, request objects, client authentication, token grants. */
  fapi: FapiClient;
  /** Each bank's mutual-TLS transport, shared with `fapi` so certificate-bound tokens are presented over the certificate they are bound to. */
  transports: BankTransports;
  /** Per HTTP attempt, body included; 10 000 by default. */
  timeout_ms?: number;
  /** Attempts per HTTP call, the first included; 5 by default. */
  max_attempts?: number;
  /** The longest 429 `Retry-After` waited out; longer fails as `rate_limited`. 30 000 by default. */
  max_retry_after_ms?: number;
  /** Pages followed per resource before the fetch fails; 1000 by default. */
  page_limit?: number;
  /** Requests one fetch keeps in flight; 4 by default. */
  concurrency?: number;
  /** Failed attempts in a row that open a bank's circuit; 10 by default. */
  circuit_threshold?: number;
  /** How long an open circuit refuses calls; 10 000 by default. */
  circuit_half_open_after_ms?: number;
  now?: () => Date;
  /** Retries, circuit changes, token refreshes and what the bank got wrong (notes), for the logs. Never carries secrets. */
  onEvent?: (event: ObieEvent) => void;
}

export type ObieEvent =
  | HttpEvent
  | { type: 'token_refreshed'; bank: string }
  | { type: 'notes'; bank: string; resource: DataResource; notes: string[] };


/** OBIE v3.1's records, mappings and party (`GET /party`: one party, or none) for the shared read path. */
const OBIE_READS: ObieShapedReads<RecordsOf<typeof ITEMS>, Checked<typeof SingleParty>> = {
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
  identity: { path: '/party', party: SingleParty, map: mapIdentity },
};

/** OBIE Security Profile: the consent is bound to the authorization through this essential claim. */
const INTENT_CLAIM = 'openbanking_intent_id';
const SCA_ACR = 'urn:openbanking:psd2:sca';

const apiBase = (bank: BankDefinition) => bank.api_base_url.replace(/\/+$/, '');


/**
 * `fetchData` of an OBIE-shaped connector (OBIE v3.1, KSA): the shared read path (`./reads.ts`)
 * over the connector's HTTP layer, with its options' limits and its events.
 */
export function obieShapedFetch<R extends ListRecords, P>(options: ObieConnectorOptions, http: BankHttp, reads: ObieShapedReads<R, P>): (input: FetchDataInput) => Promise<FetchDataResult> {
  const onEvent = options.onEvent ?? (() => {});
  const deps: ObieShapedDeps = {
    fapi: options.fapi,
    http,
    transports: options.transports,
    now: options.now ?? (() => new Date()),
    pageLimit: options.page_limit ?? 1000,
    concurrency: options.concurrency ?? 4,
    onRefreshed: (bank) => onEvent({ type: 'token_refreshed', bank: bank.identifier }),
    onNotes: (bank, resource, notes) => onEvent({ type: 'notes', bank: bank.identifier, resource, notes }),
    reasonOf,
  };
  return (input) => readObieShaped(deps, reads, input);
}

/** What the bank said about a refused request: OBIE error codes, or the OAuth error. */
export function reasonOf(res: HttpResponse): string {
  const obie = check(ObieErrorBody, res.body);
  if (obie.ok) return obie.value.Errors.map((e) => [e.ErrorCode, e.Message].filter(Boolean).join(': ')).join('; ') || `HTTP ${res.status}`;
  const oauth = check(OAuthErrorBody, res.body);
  if (oauth.ok) return [oauth.value.error, oauth.value.error_description].filter(Boolean).join(': ');
  return `HTTP ${res.status}`;
}

/**
 * The OBIE v3.1 AIS connector over the FAPI security layer (`../security/`). Consents are made
 * with a client-credentials token (scope `accounts`); the user authorises at the bank with a
 * signed request object (pushed through PAR when the bank wants it) that carries the consent id
 * as the essential `openbanking_intent_id` claim (OBIE Security Profile). Data fetches refresh the access token once when it
 * is about to expire or the bank answers 401/403; a refused refresh (`invalid_grant`) or a
 * refusal that outlives a fresh token means the consent is dead: `reconnect_required`.
 */
export function createObieConnector(options: ObieConnectorOptions): BankConnector {
  const now = options.now ?? (() => new Date());
  const onEvent = options.onEvent ?? (() => {});
  const http = connectorHttp(options, onEvent);
  const { fapi, transports } = options;
  const clientToken = (bank: BankDefinition) => fapi.clientCredentials(bank, 'accounts');

  const fetchData = obieShapedFetch(options, http, OBIE_READS);

  return {
    async startConsent(input) {
      const { bank } = input;
      const access = await clientToken(bank);
      const res = await http.send(bank.identifier, {
        method: 'POST',
        url: `${apiBase(bank)}/account-access-consents`,
        headers: { authorization: `Bearer ${access}`, 'content-type': 'application/json' },
        body: JSON.stringify({ Data: { Permissions: obiePermissions(input.permissions), ExpirationDateTime: input.expires_at }, Risk: {} }),
        fetch: transports.for(bank).fetch,
      });
      if (res.status !== 201 && res.status !== 200) throw refused('creating the consent', res, reasonOf(res));
      const consentId = valid(ConsentResponse, res.body, 'creating the consent').Data.ConsentId;
      const intent = { value: consentId, essential: true };
      const start = await fapi.authorizationRequest(bank, {
        redirect_uri: input.redirect_uri,
        claims: { id_token: { [INTENT_CLAIM]: intent, acr: { essential: true, values: [SCA_ACR] } }, userinfo: { [INTENT_CLAIM]: intent } },
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
        method: 'DELETE',
        url: `${apiBase(bank)}/account-access-consents/${encodeURIComponent(consent_id)}`,
        headers: { authorization: `Bearer ${access}` },
        fetch: transports.for(bank).fetch,
      });
      // 404: the bank no longer knows the consent, which is what revoking it asks for.
      if (res.status !== 204 && res.status !== 200 && res.status !== 404) throw refused('revoking the consent', res, reasonOf(res));
    },
  };
}
