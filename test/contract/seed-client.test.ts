import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, it } from 'node:test';
import createClient from 'openapi-fetch';
import { parse } from 'yaml';
import type { paths } from './generated/lean-seed.d.ts';
import { describeDialects } from '../helpers/dialects.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const SEED_FILE = new URL('../../spec/vendor/lean-data-api-openapi.yml', import.meta.url);

/**
 * A client generated from the vendored Lean seed spec (openapi-typescript types + openapi-fetch)
 * must work unchanged against the server; and the published document must be a superset of the seed.
 */
describeDialects('contract with the Lean seed spec', (dialect) => {
  let s: TestServer;
  let token: string;
  let entityId: string;
  before(async () => {
    s = await startTestServer({ dialect });
    token = await s.token();
    const customerId = await s.createCustomer(token);
    entityId = (await s.createSandboxEntity(token, { customer_id: customerId })).id;
  });
  after(() => s.close());

  it('a client generated from the seed reads all nine endpoints unchanged', async () => {
    const client = createClient<paths>({ baseUrl: s.url, headers: { Authorization: `Bearer ${token}` } });
    const header = { entity_id: entityId };

    const accounts = await client.GET('/data/v2/accounts', { params: { header } });
    assert.equal(accounts.response.status, 200);
    assert.ok(accounts.data && accounts.data.length > 0);
    const account = accounts.data[0]!;
    assert.ok(account.account_id && account.iban && account.currency);
    const path = { account_id: account.account_id! };

    const transactions = await client.GET('/data/v2/accounts/{account_id}/transactions', {
      params: { path, header, query: { start_date: '2025-01-01', end_date: '2030-12-31' } },
    });
    assert.equal(transactions.response.status, 200);
    assert.ok(transactions.data && transactions.data.length > 0);
    const t = transactions.data[0]!;
    assert.equal(typeof t.amount?.amount, 'number');
    assert.ok(['CREDIT', 'DEBIT'].includes(t.credit_debit_indicator!));
    assert.ok(['BOOKED', 'PENDING'].includes(t.booking_status!));

    for (const p of ['balances', 'beneficiaries', 'direct-debits', 'scheduled-payments', 'standing-orders', 'identities'] as const) {
      const res = await client.GET(`/data/v2/accounts/{account_id}/${p}`, { params: { path, header } });
      assert.equal(res.response.status, 200, p);
      assert.ok(Array.isArray(res.data), p);
    }
    const identity = await client.GET('/data/v2/identity', { params: { header } });
    assert.equal(identity.response.status, 200);
    assert.ok((identity.data as unknown as { full_name?: string }).full_name);
  });

  it('the same client triggers a refresh, lists refreshes and reads a refresh\'s status', async () => {
    const client = createClient<paths>({ baseUrl: s.url, headers: { Authorization: `Bearer ${token}` } });
    const header = { entity_id: entityId };
    const triggered = await client.POST('/data/v2/refreshes', { params: { header } });
    assert.equal(triggered.response.status, 202);
    const refreshId = (triggered.data as unknown as { refresh_id: string }).refresh_id;
    const listed = await client.GET('/data/v2/refreshes', { params: { header } });
    assert.equal(listed.response.status, 200);
    assert.ok((listed.data as unknown as Array<{ refresh_id: string }>).some((r) => r.refresh_id === refreshId));
    const status = await client.GET('/data/v2/refreshes/{refresh_id}', { params: { header, path: { refresh_id: refreshId } } });
    assert.equal(status.response.status, 200);
    assert.equal((status.data as unknown as { refresh_id: string }).refresh_id, refreshId);
    await s.waitForRefresh(token, entityId, refreshId);
  });

  it('the published document is a superset of the seed', async () => {
    const seed = parse(fs.readFileSync(SEED_FILE, 'utf8'));
    const published = (await s.request('/openapi.json', { unchecked: true })).body;
    assert.match(published.openapi, /^3\.1\./);
    assert.deepEqual(published.components.securitySchemes.BearerAuth, seed.components.securitySchemes.BearerAuth);

    const resolveParam = (p: any) => (p.$ref ? seed.components.parameters[p.$ref.split('/').pop()] : p);
    for (const [path, methods] of Object.entries<any>(seed.paths)) {
      assert.ok(published.paths[path], `path ${path}`);
      for (const [method, op] of Object.entries<any>(methods)) {
        const mine = published.paths[path][method];
        assert.ok(mine, `${method.toUpperCase()} ${path}`);
        assert.equal(mine.operationId, op.operationId);
        assert.deepEqual(mine.security, [{ BearerAuth: [] }], `${op.operationId} is bearer-secured`);
        for (const param of op.parameters.map(resolveParam)) {
          const match = mine.parameters.find((p: any) => p.name === param.name && p.in === param.in);
          assert.ok(match, `${op.operationId}: ${param.in} parameter ${param.name}`);
          assert.equal(Boolean(match.required), Boolean(param.required), `${op.operationId}: ${param.name} required`);
          assert.equal(match.schema.type, param.schema.type);
          if (param.schema.format) assert.equal(match.schema.format, param.schema.format, `${param.name} format`);
        }
        for (const status of Object.keys(op.responses)) assert.ok(mine.responses[status], `${op.operationId} ${status}`);
      }
    }

    for (const name of ['Account', 'Transaction']) {
      const want = seed.components.schemas[name];
      const have = published.components.schemas[name];
      assert.ok(have, `schema ${name}`);
      for (const [field, schema] of Object.entries<any>(want.properties)) {
        const mine = have.properties[field];
        assert.ok(mine, `${name}.${field}`);
        const types = (s: any): string[] => (s.anyOf ? s.anyOf.flatMap(types) : [].concat(s.type ?? []));
        assert.ok(types(mine).includes(schema.type), `${name}.${field} is a ${schema.type}`);
        if (schema.enum) assert.deepEqual(mine.enum, schema.enum, `${name}.${field} enum`);
        if (schema.properties) {
          for (const [inner, innerSchema] of Object.entries<any>(schema.properties)) {
            assert.ok(types(mine.properties[inner]).includes(innerSchema.type), `${name}.${field}.${inner}`);
          }
        }
      }
    }
  });
});
