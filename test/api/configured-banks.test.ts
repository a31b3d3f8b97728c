import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, it } from 'node:test';
import YAML from 'yaml';
import { describeDialects } from '../helpers/dialects.ts';
import { writeBankCredentials } from '../helpers/pki.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

/** A BANKS_FILE with one UK bank, in a fresh directory with its keys and certificate. */
async function writeBanksFile(): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openlean-configured-banks-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const { files } = await writeBankCredentials(dir);
  const file = path.join(dir, 'banks.yaml');
  fs.writeFileSync(
    file,
    YAML.stringify({
      banks: [
        {
          identifier: 'THAMES_BANK_GB',
          name: 'Thames Bank',
          country: 'GB',
          currency: 'GBP',
          time_zone: 'Europe/London',
          standard: 'obie-3.1',
          issuer: 'https://auth.thames.example',
          api_base_url: 'https://api.thames.example/open-banking/v3.1/aisp',
          client_id: 'openlean-at-thames',
          client_auth: 'private_key_jwt',
          signing_key: files.rsa,
          signing_kid: 'kid-1',
          signing_alg: 'PS256',
          transport_cert: files.cert,
          transport_key: files.key,
          security_profile: 'fapi1-advanced',
        },
      ],
    }),
  );
  return file;
}

for (const mode of ['production', 'sandbox'] as const) {
  describeDialects(`configured banks in ${mode} mode`, (dialect) => {
    let s: TestServer;
    let customerToken: string;
    before(async () => {
      s = await startTestServer({ dialect, mode, env: { BANKS_FILE: await writeBanksFile() } });
      customerToken = await s.token(s.app, `customer.${await s.createCustomer(await s.token())}`);
    });
    after(() => s.close());

    it(mode === 'production' ? 'lists the configured bank and no sandbox bank' : 'lists the configured bank and the sandbox banks', async () => {
      const res = await s.request('/banks/v1', { token: await s.token() });
      assert.equal(res.status, 200);
      const sandbox = ['SANDBOX_FALCON_AE', 'SANDBOX_OASIS_AE', 'SANDBOX_NAKHEEL_SA', 'SANDBOX_PEARL_BH', 'SANDBOX_SAQR_AE', 'SANDBOX_RIYADH_SA'];
      assert.deepEqual(res.body.map((b: any) => b.identifier), ['THAMES_BANK_GB', ...(mode === 'sandbox' ? sandbox : [])]);
      assert.deepEqual(res.body[0], {
        identifier: 'THAMES_BANK_GB',
        name: 'Thames Bank',
        country: 'GB',
        currency: 'GBP',
        logo: null,
        capabilities: ['data'],
        supported_permissions: ['accounts', 'balance', 'transactions', 'identity', 'direct_debits', 'standing_orders', 'scheduled_payments', 'beneficiaries'],
        sandbox: false,
        standard: 'obie-3.1',
      });
      const gb = await s.request('/banks/v1?country=GB', { token: await s.token() });
      assert.deepEqual(gb.body.map((b: any) => b.identifier), ['THAMES_BANK_GB']);
    });

    it(mode === 'production' ? 'refuses a sandbox bank in the link as unknown' : 'opens the link at a sandbox bank', async () => {
      const open = (bank: string) => fetch(`${s.url}/link?${new URLSearchParams({ token: customerToken, bank_identifier: bank })}`, { redirect: 'manual' });
      assert.equal((await open('THAMES_BANK_GB')).status, 303);
      const res = await open('SANDBOX_FALCON_AE');
      if (mode === 'production') {
        assert.equal(res.status, 400);
        assert.match(await res.text(), /Unknown bank_identifier &#34;SANDBOX_FALCON_AE&#34;/);
      } else {
        assert.equal(res.status, 303);
      }
    });
  });
}
