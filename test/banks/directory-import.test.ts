import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import YAML from 'yaml';
import { parseBanksEntries } from '../../src/banks/banks-file.ts';
import { importDirectory, isAccountInformation, renderBanksFile, withoutResourcePath } from '../../src/banks/directory-import.ts';
import { ConfigError } from '../../src/errors/config-error.ts';
import { IMPORTED_ENTRIES, PARTICIPANTS } from '../helpers/participants.ts';

describe('banks import (Raidiam /participants → BANKS_FILE entries)', () => {
  it('makes an entry of each active authorisation server serving account information, and says why it left the others out', () => {
    const { entries, skipped } = importDirectory(PARTICIPANTS);
    assert.deepEqual(entries, IMPORTED_ENTRIES);
    assert.deepEqual(skipped, [
      { name: 'Example Bank Payments', reason: 'serves no account information' },
      { name: 'Example Bank Legacy', reason: 'authorisation server is Withdrawn' },
    ]);
    assert.deepEqual(importDirectory({ data: PARTICIPANTS }).entries, IMPORTED_ENTRIES, 'a list wrapped in data');
  });

  it('knows account information by its family names in the frameworks', () => {
    for (const family of ['account', 'Accounts', 'accounts-v2', 'account-information', 'ACCOUNT_INFORMATION']) assert.ok(isAccountInformation(family), family);
    for (const family of ['payment', 'consents', 'products', 'accounting-docs']) assert.ok(!isAccountInformation(family), family);
  });

  it('cuts only the resource path off an endpoint, keeping resource names that are part of the base path', () => {
    const cases: Array<[string, string]> = [
      ['https://rs1.examplebank.ae/open-finance/account-information/v2.1/accounts', 'https://rs1.examplebank.ae/open-finance/account-information/v2.1'],
      ['https://api.examplebank.com.br/open-banking/accounts/v2/accounts', 'https://api.examplebank.com.br/open-banking/accounts/v2'],
      ['https://api.examplebank.co.uk/open-banking/v3.1.11/aisp/account-access-consents/', 'https://api.examplebank.co.uk/open-banking/v3.1.11/aisp'],
      ['https://api.examplebank.co.uk/aisp/accounts/{AccountId}/transactions', 'https://api.examplebank.co.uk/aisp'],
      ['https://api.examplebank.sa/open-banking/account-information/2022.11.01-final-errata2/', 'https://api.examplebank.sa/open-banking/account-information/2022.11.01-final-errata2'],
    ];
    for (const [endpoint, base] of cases) assert.equal(withoutResourcePath(endpoint), base, endpoint);
  });

  it('writes YAML under a header saying what to fill in, or JSON; the validator then asks for every FILL_IN', () => {
    const yaml = renderBanksFile(IMPORTED_ENTRIES, { format: 'yaml', source: 'participants.json' });
    assert.match(yaml, /^# BANKS_FILE entries imported by `openlean banks import` from participants.json\.\n/);
    assert.match(yaml, /^# {3}client_id {7}your client id at the bank$/m);
    assert.deepEqual(YAML.parse(yaml), { banks: IMPORTED_ENTRIES });
    assert.deepEqual(JSON.parse(renderBanksFile(IMPORTED_ENTRIES, { format: 'json', source: 'x' })), { banks: IMPORTED_ENTRIES });
    assert.throws(
      () => parseBanksEntries(IMPORTED_ENTRIES, { baseDir: '/', env: {} }),
      (err: unknown) => err instanceof ConfigError && (err.message.match(/is still FILL_IN/g) ?? []).length === 10,
    );
  });

  it('refuses what is not a participants list', () => {
    assert.throws(() => importDirectory({ participants: [] }), ConfigError);
  });
});
