import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generateCustomer } from '../../src/sandbox-bank/generator/index.ts';
import { SANDBOX_BANK_PROFILES } from '../../src/sandbox-bank/profiles.ts';

describe('sandbox bank profiles', () => {
  it('cover the FAPI variants of decision 010', () => {
    assert.deepEqual(
      SANDBOX_BANK_PROFILES.map((p) => [p.identifier, p.security_profile, p.client_auth, p.signing_alg, p.response_type, p.par]),
      [
        ['SANDBOX_FALCON_AE', 'fapi2', 'private_key_jwt', 'PS256', 'code', true],
        ['SANDBOX_OASIS_AE', 'fapi2', 'tls_client_auth', 'PS256', 'code', true],
        ['SANDBOX_NAKHEEL_SA', 'fapi1-advanced', 'private_key_jwt', 'PS256', 'code id_token', true],
        ['SANDBOX_PEARL_BH', 'fapi1-advanced', 'private_key_jwt', 'ES256', 'code id_token', false],
        ['SANDBOX_SAQR_AE', 'fapi2', 'private_key_jwt', 'PS256', 'code', true],
        ['SANDBOX_RIYADH_SA', 'fapi1-advanced', 'private_key_jwt', 'PS256', 'code id_token', true],
      ],
    );
  });

  it('name products by whether the bank is Islamic, not by its name', () => {
    const oasis = SANDBOX_BANK_PROFILES.find((p) => p.islamic)!;
    const asOf = new Date('2026-11-15T12:00:00Z');
    const products = (islamic: boolean) =>
      ['a', 'b', 'c', 'd', 'e', 'f'].flatMap((login) => generateCustomer({ ...oasis, islamic }, login, asOf).accounts.map((a) => a.description)).join(' ');
    assert.match(products(true), /Wakala|Mudaraba|Covered Card|Personal Finance/);
    assert.doesNotMatch(products(false), /Wakala|Mudaraba|Covered Card|Personal Finance/);
  });
});
