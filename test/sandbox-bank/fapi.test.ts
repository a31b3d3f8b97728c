import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import * as client from 'openid-client';
import { X509Certificate } from 'node:crypto';
import { parseDistinguishedName, subjectMatches } from '../../src/sandbox-bank/authorization-server/certificate.ts';
import { authorizeAtSandboxBank } from '../../src/sandbox-bank/automate-consent.ts';
import { issueClientCertificate } from '../../src/pki/test-pki.ts';
import { ObieSpec, tempDir } from '../helpers/sandbox-bank.ts';
import {
  authorizationRequest,
  bankClient,
  clientToken,
  connect,
  createConsent,
  mtlsCall,
  mtlsFetch,
  startFapiSandbox,
  type FapiSandbox,
} from '../helpers/sandbox-fapi.ts';

const spec = new ObieSpec();
const dataDir = tempDir();
let sandbox: FapiSandbox;

before(async () => {
  sandbox = await startFapiSandbox({ dataDir });
});
after(async () => {
  await sandbox.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('each FAPI profile, driven by openid-client', () => {
  for (const bankId of ['SANDBOX_FALCON_AE', 'SANDBOX_OASIS_AE', 'SANDBOX_NAKHEEL_SA', 'SANDBOX_PEARL_BH']) {
    test(`${bankId}: consent created, authorised, code exchanged, accounts read over mTLS, refreshed`, async () => {
      const c = await bankClient(sandbox, bankId);
      const discovery = c.config.serverMetadata();
      assert.equal(discovery.mtls_endpoint_aliases?.token_endpoint, `${sandbox.tlsUrl}/${bankId}/token`);
      const connection = await connect(c, `fapi-${bankId}`);
      const accounts = await connection.get('/accounts');
      assert.equal(accounts.status, 200, accounts.text);
      spec.response('GET', '/accounts', 200, accounts.body);
      assert.ok(accounts.body.Data.Account.length >= 1);

      const claims = JSON.parse(Buffer.from(connection.idToken!.split('.')[1]!, 'base64url').toString());
      assert.equal(claims.openbanking_intent_id, connection.consentId);
      assert.equal(claims.acr, 'urn:openbanking:psd2:sca');

      const before = connection.refreshToken;
      await connection.refresh();
      assert.notEqual(connection.refreshToken, before, 'the refresh token rotates');
      assert.equal((await connection.get('/party')).status, 200);
    });
  }

  test('hybrid banks answer in the fragment with code, id_token and state', async () => {
    const c = await bankClient(sandbox, 'SANDBOX_PEARL_BH');
    const consentId = (await createConsent(c)).body.Data.ConsentId;
    const request = await authorizationRequest(c, consentId);
    const back = new URL(await authorizeAtSandboxBank(request.url.toString(), { login: 'hybrid' }));
    const fragment = new URLSearchParams(back.hash.slice(1));
    assert.ok(fragment.get('code') && fragment.get('id_token'));
    assert.equal(fragment.get('state'), request.state);
    assert.equal(back.search, '');
  });
});

describe('tls_client_auth subject (RFC 8705 §2.1.2)', () => {
  test("the test PKI's transport certificate matches its RFC 4514 subject_dn; Oasis takes it and refuses another subject", async () => {
    const transport = new X509Certificate(sandbox.pki.transport.cert_pem);
    assert.equal(sandbox.pki.transport.subject_dn, 'CN=openlean sandbox TPP,O=openlean,C=AE');
    assert.ok(subjectMatches(transport, sandbox.pki.transport.subject_dn));
    assert.ok(subjectMatches(transport, 'cn=openlean sandbox TPP, o=openlean, 2.5.4.6=AE'), 'types by name in any case, or by OID');
    assert.ok(!subjectMatches(transport, 'C=AE,O=openlean,CN=openlean sandbox TPP'), 'RDN order matters');
    assert.ok(!subjectMatches(transport, 'CN=openlean sandbox TPP,O=openlean'));

    const c = await bankClient(sandbox, 'SANDBOX_OASIS_AE');
    assert.ok(await clientToken(c));
    const other = await bankClient(sandbox, 'SANDBOX_OASIS_AE', sandbox.pki.other);
    await assert.rejects(clientToken(other), (error: { error?: string }) => (assert.equal(error.error, 'invalid_client'), true));
  });

  test('multi-valued RDNs match whatever the order of their values; escapes are read', async () => {
    assert.deepEqual(parseDistinguishedName('CN=a+UID=b,O=c\\, d;C=AE'), ['C=AE', 'O=c, d', 'CN=a\u0000UID=b']);
    assert.deepEqual(parseDistinguishedName('UID=b+CN=a,O=c\\2C d,C=AE'), ['C=AE', 'O=c, d', 'CN=a\u0000UID=b']);
    assert.deepEqual(parseDistinguishedName('CN="x, y",C=AE'), ['C=AE', 'CN=x, y']);
    assert.equal(parseDistinguishedName('no equals sign'), null);
    // @peculiar/x509 reads a subject string in DER order, most significant RDN first.
    const multi = await issueClientCertificate(sandbox.pki.ca, 'C=AE,CN=openlean+O=openlean TPP');
    const certificate = new X509Certificate(multi.cert_pem);
    assert.equal(certificate.subject, 'C=AE\nCN=openlean + O=openlean TPP');
    assert.ok(subjectMatches(certificate, 'O=openlean TPP+CN=openlean,C=AE'));
    assert.ok(subjectMatches(certificate, 'CN=openlean+O=openlean TPP,C=AE'));
    assert.ok(!subjectMatches(certificate, 'CN=openlean,O=openlean TPP,C=AE'), 'two RDNs are not one multi-valued RDN');
  });
});

describe('refusals', () => {
  test('no client certificate: the TLS handshake is refused', async () => {
    const bare = mtlsFetch(sandbox.pki, null);
    await assert.rejects(bare(`${sandbox.tlsUrl}/SANDBOX_FALCON_AE/open-banking/v3.1/aisp/accounts`), (error: Error & { cause?: { code?: string; message?: string } }) => {
      assert.match(`${error.cause?.code} ${error.cause?.message}`, /certificate required|UND_ERR_SOCKET|ECONNRESET|other side closed/i);
      return true;
    });
    await bare.close();
  });

  test('an untrusted certificate is refused in the handshake', async () => {
    const untrusted = mtlsFetch(sandbox.pki, sandbox.pki.untrusted);
    await assert.rejects(untrusted(`${sandbox.tlsUrl}/SANDBOX_FALCON_AE/open-banking/v3.1/aisp/accounts`), (error: Error & { cause?: { code?: string; message?: string } }) => {
      assert.match(`${error.cause?.code} ${error.cause?.message}`, /unknown ca|UND_ERR_SOCKET|ECONNRESET|other side closed|certificate/i);
      return true;
    });
    await untrusted.close();
  });

  test('a token presented over another trusted certificate is refused (401)', async () => {
    const c = await bankClient(sandbox, 'SANDBOX_FALCON_AE');
    const connection = await connect(c, 'bound');
    const other = mtlsFetch(sandbox.pki, sandbox.pki.other);
    const res = await other(`${c.ais}/accounts`, { headers: { authorization: `Bearer ${connection.accessToken}` } });
    assert.equal(res.status, 401);
    const body = (await res.json()) as { Errors: { ErrorCode: string; Message: string }[] };
    spec.check('OBErrorResponse1', body);
    assert.match(body.Errors[0]!.Message, /bound to another certificate/);
    await other.close();
  });

  test('a PAR without a signed request object is refused at a fapi2 bank', async () => {
    const c = await bankClient(sandbox, 'SANDBOX_FALCON_AE');
    const consentId = (await createConsent(c)).body.Data.ConsentId;
    await assert.rejects(
      client.buildAuthorizationUrlWithPAR(c.config, {
        redirect_uri: 'https://tpp.example/callback',
        scope: 'openid accounts',
        code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
        code_challenge_method: 'S256',
        claims: JSON.stringify({ id_token: { openbanking_intent_id: { value: consentId, essential: true } } }),
      }),
      (error: { error?: string }) => {
        assert.match(String(error.error), /^invalid_request(_object)?$/);
        return true;
      },
    );
  });

  test('the token and PAR endpoints refuse plain HTTP', async () => {
    for (const path of ['token', 'par']) {
      const res = await mtlsCall(null, `${sandbox.url}/SANDBOX_FALCON_AE/${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials&client_id=openlean',
      });
      assert.equal(res.status, 400, res.text);
      assert.equal(res.body.error, 'invalid_request');
      assert.match(res.body.error_description, /mutual TLS only/);
    }
  });

  test('the OBIE API refuses plain HTTP', async () => {
    const res = await mtlsCall(null, `${sandbox.url}/SANDBOX_FALCON_AE/open-banking/v3.1/aisp/accounts`);
    assert.equal(res.status, 403);
    spec.check('OBErrorResponse1', res.body);
    assert.match(res.body.Message, /mutual TLS only/);
  });
});
