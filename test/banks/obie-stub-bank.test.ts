import assert from 'node:assert/strict';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { BankError, type BankCredentials } from '../../src/banks/connector.ts';
import { createObieConnector, type ObieEvent } from '../../src/banks/obie/connector.ts';
import type { BankDefinition } from '../../src/banks/bank.ts';
import { BankTransports } from '../../src/banks/security/bank-transport.ts';
import { createFapiClient } from '../../src/banks/security/fapi-client.ts';
import { bankSource } from '../../src/sandbox-connections.ts';
import { testPki } from '../helpers/sandbox-fapi.ts';

const CREDENTIALS: BankCredentials = { consent_id: 'C1', access_token: 'AT', refresh_token: null, access_token_expires_at: null };
const account = (AccountId: string) => ({ AccountId, Currency: 'AED', AccountSubType: 'CurrentAccount', Description: `Account ${AccountId}` });

/**
 * The connector against a bank that misbehaves in ways the sandbox banks do not: odd paging,
 * broken records, refusals. The stub answers `routes[path]` (by path and query) with a JSON body.
 */
describe('OBIE connector against a misbehaving bank', () => {
  let server: http.Server;
  let base: string;
  let routes: Record<string, (req: IncomingMessage) => [number, unknown]> = {};
  let requests: string[] = [];
  let bodies: string[] = [];
  let events: ObieEvent[] = [];
  let BANK: BankDefinition;
  const transports = new BankTransports();

  before(async () => {
    server = http.createServer(async (req: IncomingMessage, res: ServerResponse) => {
      requests.push(req.url!);
      if (req.method === 'POST') {
        let body = '';
        for await (const chunk of req) body += chunk;
        bodies.push(body);
      }
      const route = routes[req.url!.replace('/aisp', '')];
      const [status, body] = route ? route(req) : [404, { Errors: [{ ErrorCode: 'UK.OBIE.Resource.NotFound' }] }];
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // A bank entry as the sandbox banks' (test PKI credentials), but at the stub, authenticating by certificate.
    const template = bankSource([], () => ({ http: base, tls: base }), await testPki())()[0]!;
    BANK = { ...template, issuer: base, api_base_url: `${base}/aisp/`, client_auth: 'tls_client_auth' };
  });
  after(async () => {
    server.close();
    await transports.close();
  });
  beforeEach(() => {
    routes = {};
    requests = [];
    events = [];
  });

  const connector = (pageLimit = 10) =>
    createObieConnector({
      fapi: createFapiClient({ transports, timeout_ms: 1000 }),
      transports,
      timeout_ms: 1000,
      max_attempts: 1,
      page_limit: pageLimit,
      onEvent: (e) => events.push(e),
    });
  const fetchAccounts = (credentials = CREDENTIALS, pageLimit?: number) =>
    connector(pageLimit).fetchData({ bank: BANK, credentials, resources: ['accounts'], transactions_from: null });
  const page = (ids: string[], next?: string) => (): [number, unknown] => [200, { Data: { Account: ids.map(account) }, Links: { Self: 'x', ...(next ? { Next: next } : {}) } }];
  const bankError = (kind: BankError['kind'], pattern: RegExp) => (err: unknown) => {
    assert.ok(err instanceof BankError, String(err));
    assert.equal(err.kind, kind);
    assert.match(err.message, pattern);
    return true;
  };

  it('follows relative and absolute Next links, and stops where they loop', async () => {
    routes = {
      '/accounts': page(['A1'], 'accounts?page=2'),
      '/accounts?page=2': page(['A2'], `${base}/aisp/accounts?page=3`),
      '/accounts?page=3': page(['A3'], '/aisp/accounts?page=2'),
    };
    const { snapshot } = await fetchAccounts();
    assert.deepEqual(snapshot.accounts.map((a) => a.bank_account_id), ['A1', 'A2', 'A3']);
    assert.deepEqual(requests, ['/aisp/accounts', '/aisp/accounts?page=2', '/aisp/accounts?page=3']);
    assert.deepEqual(events, [{ type: 'notes', bank: BANK.identifier, resource: 'accounts', notes: ['Links.Next points back to a page already read; paging stopped there'] }]);
  });

  it('fails as unavailable past the page limit, and as malformed when Next leaves the bank', async () => {
    routes = { '/accounts': page(['A1'], 'accounts?page=2'), '/accounts?page=2': page(['A2'], 'accounts?page=3'), '/accounts?page=3': page(['A3']) };
    await assert.rejects(fetchAccounts(CREDENTIALS, 2), bankError('unavailable', /more than 2 pages/));
    routes = { '/accounts': page(['A1'], 'http://attacker.example/accounts') };
    await assert.rejects(fetchAccounts(), bankError('malformed', /leaves the bank's API/));
    assert.ok(requests.every((r) => r.startsWith('/aisp/')));
  });

  it('fails as malformed, naming the field, when an account record breaks the OBIE format: leaving it out would delete it', async () => {
    routes = { '/accounts': () => [200, { Data: { Account: [account('A1'), { Currency: 'AED' }] }, Links: { Self: 'x' } }] };
    await assert.rejects(fetchAccounts(), (err: unknown) => bankError('malformed', /#1: record must have required properties AccountId; record skipped/)(err) && (err as BankError).resource === 'accounts');
  });

  it('skips, counts and explains another record that breaks the OBIE format, and fails an answer that is no list', async () => {
    routes = {
      '/accounts': page(['A1', 'A2']),
      '/accounts/A1/balances': () => [200, { Data: { Balance: [{ CreditDebitIndicator: 'Credit', Type: 'Expected', DateTime: 'now', Amount: { Amount: '1.00', Currency: 'AED' } }] } }],
      '/accounts/A2/balances': () => [200, { Data: { Balance: { Amount: '1.00' } } }],
    };
    const { snapshot, report } = await connector().fetchData({ bank: BANK, credentials: CREDENTIALS, resources: ['balances'], transactions_from: null });
    assert.deepEqual(snapshot.accounts.map((a) => a.balances), [[], undefined]);
    const balances = report.resources.balances!;
    assert.deepEqual([balances.fetched, balances.failed, balances.skipped], [1, 1, 1]);
    assert.deepEqual(balances.issues, [
      '#0: "now" is not an ISO 8601 date-time; record skipped',
      'account 2 of 2: GET balances: the bank\'s response is malformed (Data.Balance must be array)',
    ]);
  });

  it('says reconnect_required for a refused token it cannot refresh, rejected for other refusals', async () => {
    routes = { '/accounts': () => [401, { Errors: [{ ErrorCode: 'UK.OBIE.Header.Invalid', Message: 'expired' }] }] };
    await assert.rejects(fetchAccounts(), bankError('reconnect_required', /401, UK\.OBIE\.Header\.Invalid: expired/));
    routes = { '/accounts': () => [400, { Errors: [{ ErrorCode: 'UK.OBIE.Field.Invalid' }] }] };
    await assert.rejects(fetchAccounts(), bankError('rejected', /400, UK\.OBIE\.Field\.Invalid/));
  });

  it('refreshes the access token through the FAPI client, keeping a refresh token the bank did not rotate', async () => {
    routes = {
      '/.well-known/openid-configuration': () => [200, { issuer: base, authorization_endpoint: `${base}/authorize`, token_endpoint: `${base}/token` }],
      '/token': () => [200, { access_token: 'NEW', token_type: 'Bearer' }],
      '/accounts': (req) => (req.headers.authorization === 'Bearer NEW' ? page(['A1'])() : [401, {}]),
    };
    bodies = [];
    const result = await fetchAccounts({ ...CREDENTIALS, refresh_token: 'RT' });
    const form = new URLSearchParams(bodies[0]);
    // A bank that does not rotate refresh tokens keeps the old one valid; no expires_in, no expiry.
    assert.deepEqual(result.credentials, { consent_id: 'C1', access_token: 'NEW', refresh_token: 'RT', access_token_expires_at: null, refresh_answer_lost_at: null });
    // tls_client_auth (RFC 8705 §2.1): the certificate authenticates; the body names the client.
    assert.equal(form.get('grant_type'), 'refresh_token');
    assert.equal(form.get('refresh_token'), 'RT');
    assert.equal(form.get('client_id'), 'openlean');
    assert.equal(form.get('client_assertion'), null);
  });
});
