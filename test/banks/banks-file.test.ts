import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import YAML from 'yaml';
import { loadBanksFile, parseBanksEntries, parseBanksFile } from '../../src/banks/banks-file.ts';
import { ConfigError } from '../../src/errors/config-error.ts';
import { PERMISSIONS } from '../../src/domain/permissions.ts';
import { writeBankCredentials, type BankCredentialFiles } from '../helpers/pki.ts';

describe('BANKS_FILE', () => {
  let dir: string;
  let files: BankCredentialFiles;
  let pem: Record<keyof BankCredentialFiles, string>;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openlean-banks-file-'));
    ({ files, pem } = await writeBankCredentials(dir));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** A complete, valid UK bank entry, changed by `changes` (undefined removes a field). */
  const entry = (changes: Record<string, unknown> = {}) => {
    const e: Record<string, unknown> = {
      identifier: 'MY_BANK',
      name: 'My Bank',
      country: 'GB',
      currency: 'GBP',
      time_zone: 'Europe/London',
      standard: 'obie-3.1',
      issuer: 'https://auth.mybank.example',
      api_base_url: 'https://api.mybank.example/open-banking/v3.1/aisp',
      client_id: 'client-123',
      client_auth: 'private_key_jwt',
      signing_key: files.rsa,
      signing_kid: 'kid-1',
      signing_alg: 'PS256',
      transport_cert: files.cert,
      transport_key: files.key,
      security_profile: 'fapi1-advanced',
      ...changes,
    };
    for (const [k, v] of Object.entries(e)) if (v === undefined) delete e[k];
    return e;
  };
  const parse = (entries: unknown[], env: NodeJS.ProcessEnv = {}) => parseBanksFile(JSON.stringify({ banks: entries }), { format: 'json', baseDir: dir, env, source: 'banks.json' });
  /** Asserts that parsing `entries` fails with exactly these problem lines. */
  const refuses = (entries: unknown[], lines: string[], env: NodeJS.ProcessEnv = {}) =>
    assert.throws(
      () => parse(entries, env),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError, String(err));
        assert.equal(err.message, ['BANKS_FILE banks.json:', ...lines.map((l) => `  ${l}`)].join('\n'));
        return true;
      },
    );

  it('reads a good file, in JSON and in YAML, to the same bank definitions with their defaults and PEM contents', () => {
    const banks = [
      entry({ api_base_url: 'https://api.mybank.example/open-banking/v3.1/aisp/' }),
      {
        ...entry({ identifier: 'GULF_BANK_AE', name: 'Gulf Bank', country: 'AE', currency: 'AED', time_zone: 'asia/dubai' }),
        logo: 'https://cdn.gulfbank.example/logo.svg',
        permissions: ['accounts', 'balance', 'transactions'],
        client_auth: 'tls_client_auth',
        signing_key: `env:GULF_SIGNING_KEY`,
        signing_alg: 'ES256',
        ca: files.ca,
        security_profile: 'fapi2',
        scopes: ['accounts', 'openid'],
      },
    ];
    const env = { GULF_SIGNING_KEY: pem.ec };
    const fromJson = parseBanksFile(JSON.stringify({ banks }), { format: 'json', baseDir: dir, env });
    const fromYaml = parseBanksFile(YAML.stringify({ banks }), { format: 'yaml', baseDir: dir, env });
    assert.deepEqual(fromYaml, fromJson);
    assert.deepEqual(fromJson, [
      {
        identifier: 'MY_BANK',
        name: 'My Bank',
        country: 'GB',
        currency: 'GBP',
        time_zone: 'Europe/London',
        logo: null,
        capabilities: ['data'],
        permissions: PERMISSIONS,
        standard: 'obie-3.1',
        sandbox: false,
        issuer: 'https://auth.mybank.example',
        api_base_url: 'https://api.mybank.example/open-banking/v3.1/aisp',
        client_id: 'client-123',
        client_auth: 'private_key_jwt',
        signing: { key_pem: pem.rsa, kid: 'kid-1', alg: 'PS256' },
        transport: { cert_pem: pem.cert, key_pem: pem.key },
        ca_pem: null,
        security_profile: 'fapi1-advanced',
        par: false,
        response_type: 'code id_token',
        scopes: ['accounts'],
        signed_responses: false,
      },
      {
        identifier: 'GULF_BANK_AE',
        name: 'Gulf Bank',
        country: 'AE',
        currency: 'AED',
        time_zone: 'Asia/Dubai',
        logo: 'https://cdn.gulfbank.example/logo.svg',
        capabilities: ['data'],
        permissions: ['accounts', 'balance', 'transactions'],
        standard: 'obie-3.1',
        sandbox: false,
        issuer: 'https://auth.mybank.example',
        api_base_url: 'https://api.mybank.example/open-banking/v3.1/aisp',
        client_id: 'client-123',
        client_auth: 'tls_client_auth',
        signing: { key_pem: pem.ec, kid: 'kid-1', alg: 'ES256' },
        transport: { cert_pem: pem.cert, key_pem: pem.key },
        ca_pem: pem.ca,
        security_profile: 'fapi2',
        par: true,
        response_type: 'code',
        scopes: ['accounts', 'openid'],
        signed_responses: false,
      },
    ]);
  });

  it('accepts a bare list of banks, http on loopback hosts, and env: PEM held on one line with \\n', () => {
    const [bank] = parseBanksFile(
      YAML.stringify([entry({ issuer: 'http://127.0.0.1:8443/bank', api_base_url: 'http://[::1]:8443/aisp', transport_key: 'env:ONE_LINE_KEY' })]),
      { format: 'yaml', baseDir: dir, env: { ONE_LINE_KEY: pem.key.replaceAll('\n', '\\n') } },
    );
    assert.equal(bank!.issuer, 'http://127.0.0.1:8443/bank');
    assert.equal(bank!.transport.key_pem, pem.key);
  });

  it('takes an optional Arabic name', () => {
    const [named] = parseBanksEntries([entry({ name_ar: 'بنكي' })], { baseDir: dir, env: {} });
    assert.equal(named!.name_ar, 'بنكي');
    assert.equal(parseBanksEntries([entry()], { baseDir: dir, env: {} })[0]!.name_ar, undefined);
    assert.throws(() => parseBanksEntries([entry({ name_ar: ' ' })], { baseDir: dir, env: {} }), /name_ar: must not be empty/);
  });

  it('marks entries the composition root feeds in as sandbox banks', () => {
    const [bank] = parseBanksEntries([entry()], { baseDir: dir, env: {}, sandbox: true });
    assert.equal(bank!.sandbox, true);
  });

  it('refuses a bad identifier', () => {
    refuses([entry({ identifier: 'my-bank' })], ['banks[0] (my-bank).identifier: must be upper-case letters, digits and _ ([A-Z0-9_]+), got "my-bank"']);
  });

  it('refuses a duplicate identifier', () => {
    refuses([entry(), entry({ name: 'Other' }), entry()], ['banks[1] (MY_BANK).identifier: duplicates banks[0]', 'banks[2] (MY_BANK).identifier: duplicates banks[0]']);
  });

  it('refuses unknown fields, suggesting the one probably meant', () => {
    refuses([entry({ clientId: 'x', colour: 'red' })], [
      'banks[0] (MY_BANK).clientId: unknown field (did you mean client_id?)',
      'banks[0] (MY_BANK).colour: unknown field; the fields are identifier, name, name_ar, country, currency, time_zone, logo, permissions, standard, issuer, api_base_url, client_id, client_auth, signing_key, signing_kid, signing_alg, transport_cert, transport_key, ca, security_profile, par, response_type, scopes, signed_responses, quirks',
    ]);
  });

  it('reads quirks as named flags, and refuses one it does not know or a value that is no flag', () => {
    assert.deepEqual(parse([entry({ quirks: { no_transaction_date_filter: true } })])[0]!.quirks, { no_transaction_date_filter: true });
    assert.equal(parse([entry({})])[0]!.quirks, undefined);
    refuses([entry({ quirks: { no_date_filter: true } }), entry({ identifier: 'B2', quirks: { no_transaction_date_filter: 'yes' } }), entry({ identifier: 'B3', quirks: ['x'] })], [
      'banks[0] (MY_BANK).quirks.no_date_filter: is not a quirk openlean knows: no_transaction_date_filter',
      'banks[1] (B2).quirks.no_transaction_date_filter: must be true or false, got "yes"',
      'banks[2] (B3).quirks: must be a mapping of quirk names to true or false, got a list',
    ]);
  });

  it('refuses sandbox: only the built-in banks are sandbox banks', () => {
    refuses([entry({ sandbox: true })], ['banks[0] (MY_BANK).sandbox: cannot be set in BANKS_FILE: only the built-in banks are sandbox banks']);
  });

  it('refuses a country that is not an ISO 3166-1 alpha-2 code', () => {
    refuses([entry({ country: 'UK' }), entry({ identifier: 'B2', country: 'XX' })], [
      'banks[0] (MY_BANK).country: must be an ISO 3166-1 alpha-2 code such as AE, SA or GB, got "UK" (the United Kingdom is GB)',
      'banks[1] (B2).country: must be an ISO 3166-1 alpha-2 code such as AE, SA or GB, got "XX"',
    ]);
  });

  it('refuses an unknown time zone and an unknown currency', () => {
    refuses([entry({ time_zone: 'Europe/Londres', currency: 'XYZ' })], [
      'banks[0] (MY_BANK).currency: must be an ISO 4217 code openlean knows the minor units of (such as AED, SAR, BHD, GBP), got "XYZ"',
      'banks[0] (MY_BANK).time_zone: must be an IANA time zone such as Asia/Dubai, got "Europe/Londres"',
    ]);
  });

  it('refuses a PEM file that does not exist, and a BANKS_FILE that does not exist', () => {
    refuses([entry({ signing_key: 'keys/missing.pem' })], [`banks[0] (MY_BANK).signing_key: cannot read ${path.join(dir, 'keys', 'missing.pem')} (no such file)`]);
    const missing = path.join(dir, 'nowhere.yaml');
    assert.throws(() => loadBanksFile(missing, {}), { name: 'Error', message: `BANKS_FILE ${missing}:\n  cannot read it (no such file)` });
  });

  it('refuses a signing key whose type does not fit signing_alg', () => {
    refuses([entry({ signing_key: files.ec, signing_alg: 'PS256' }), entry({ identifier: 'B2', signing_key: files.rsa, signing_alg: 'ES256' })], [
      'banks[0] (MY_BANK).signing_key: is an EC P-256 key, but signing_alg PS256 needs an RSA key',
      'banks[1] (B2).signing_key: is a 2048-bit RSA key, but signing_alg ES256 needs an EC P-256 key',
    ]);
  });

  it('refuses a transport key that is not the transport certificate\'s, and files that are no PEM', () => {
    refuses([entry({ transport_key: files.otherKey })], ['banks[0] (MY_BANK).transport_key: does not match transport_cert (it is not the private key of its public key)']);
    refuses([entry({ transport_cert: files.key, signing_key: files.cert })], [
      'banks[0] (MY_BANK).signing_key: is not an unencrypted PEM private key',
      'banks[0] (MY_BANK).transport_cert: is not a PEM certificate',
    ]);
  });

  it('refuses env: naming a variable that is not set', () => {
    refuses([entry({ signing_key: 'env:MY_BANK_SIGNING_KEY' })], ['banks[0] (MY_BANK).signing_key: environment variable MY_BANK_SIGNING_KEY is not set']);
  });

  it('refuses env: naming a variable that is set but empty', () => {
    refuses([entry({ signing_key: 'env:MY_BANK_EMPTY_KEY' })], ['banks[0] (MY_BANK).signing_key: environment variable MY_BANK_EMPTY_KEY is empty'], { MY_BANK_EMPTY_KEY: ' ' });
  });

  it('refuses FAPI 2.0 without PAR or with the hybrid flow', () => {
    refuses([entry({ security_profile: 'fapi2', par: false, response_type: 'code id_token' })], [
      'banks[0] (MY_BANK).par: must be true with security_profile fapi2: FAPI 2.0 requires PAR',
      'banks[0] (MY_BANK).response_type: must be code with security_profile fapi2: FAPI 2.0 has no hybrid flow',
    ]);
  });

  it('signed_responses: UAE banks only, a boolean, false unless set', () => {
    refuses([entry({ signed_responses: true })], ['banks[0] (MY_BANK).signed_responses: is for uae-2.1 banks (application/jwt answers); obie-3.1 has none']);
    refuses([entry({ standard: 'uae-2.1', signed_responses: 'yes' })], ['banks[0] (MY_BANK).signed_responses: must be true or false, got "yes"']);
  });

  it('refuses plain http to a host other than this machine', () => {
    refuses([entry({ issuer: 'http://auth.mybank.example', api_base_url: 'ftp://api.mybank.example' })], [
      'banks[0] (MY_BANK).issuer: must be an https URL (http only on 127.0.0.1, localhost or [::1]), got "http://auth.mybank.example"',
      'banks[0] (MY_BANK).api_base_url: must be an https URL (http only on 127.0.0.1, localhost or [::1]), got "ftp://api.mybank.example"',
    ]);
  });

  it('reports every problem of every entry at once, one per line', () => {
    refuses(
      [
        entry(),
        entry({ identifier: 'B2', client_auth: 'basic', client_id: 'FILL_IN', name: undefined }),
        'SOME_BANK',
        entry({ identifier: 'B4', permissions: ['accounts', 'transaction', 'accounts'], par: 'yes', logo: 'http://logo.example/x.png' }),
      ],
      [
        'banks[1] (B2).name: is required',
        'banks[1] (B2).client_id: is still FILL_IN: replace it with your own value',
        'banks[1] (B2).client_auth: must be one of private_key_jwt, tls_client_auth, got "basic"',
        'banks[2]: must be a mapping of fields, got "SOME_BANK"',
        'banks[3] (B4).logo: must be an https: or data:image/ URL, got "http://logo.example/x.png"',
        'banks[3] (B4).permissions[1]: must be one of accounts, balance, transactions, identity, direct_debits, standing_orders, scheduled_payments, beneficiaries, got "transaction"',
        'banks[3] (B4).permissions[2]: repeats accounts',
        'banks[3] (B4).par: must be true or false, got "yes"',
      ],
    );
  });

  it('refuses a document that is not a list of banks, or not JSON/YAML at all', () => {
    assert.throws(() => parseBanksFile('{"bank": []}', { format: 'json', baseDir: dir, env: {}, source: 'b.json' }), {
      message: 'BANKS_FILE b.json:\n  bank: unknown field; the file holds only "banks"\n  banks: must be a list of banks, got nothing',
    });
    assert.throws(
      () => parseBanksFile('banks: [', { format: 'yaml', baseDir: dir, env: {}, source: 'b.yaml' }),
      (err: unknown) => err instanceof ConfigError && /^BANKS_FILE b\.yaml:\n {2}is not valid YAML: .* at line 1, column 9$/.test(err.message),
    );
  });
});
