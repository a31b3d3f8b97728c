import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { TLSSocket } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { SignJWT, calculateJwkThumbprint, importJWK, importPKCS8, jwtVerify } from 'jose';
import { Agent, fetch } from 'undici';
import { createUntrustedClientCertificate, ensureTestPki, issueClientCertificate, type TestPki } from '../../src/pki/test-pki.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'openlean-pki-'));
}

/**
 * The test PKI over real mutual TLS: a `node:https` server with the sandbox banks' certificate,
 * trusting only the test CA, and undici clients presenting (or not) client certificates.
 */
describe('test PKI over mutual TLS', () => {
  let pki: TestPki;
  let server: https.Server;
  let port: number;
  let served = 0;

  before(async () => {
    pki = await ensureTestPki(path.join(tempDir(), 'sandbox-pki'));
    server = https.createServer(
      { cert: pki.server.cert_pem, key: pki.server.key_pem, ca: pki.ca.cert_pem, requestCert: true, rejectUnauthorized: true },
      (req, res) => {
        served++;
        const peer = (req.socket as TLSSocket).getPeerCertificate();
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ cn: peer.subject.CN }));
      },
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  async function request(host: string, client: { cert: string; key: string } | null): Promise<{ cn: string }> {
    const dispatcher = new Agent({ connect: { ca: pki.ca.cert_pem, ...(client ?? {}) } });
    try {
      const res = await fetch(`https://${host}:${port}/`, { dispatcher });
      assert.equal(res.status, 200);
      return (await res.json()) as { cn: string };
    } finally {
      await dispatcher.close();
    }
  }

  const transport = () => ({ cert: pki.transport.cert_pem, key: pki.transport.key_pem });

  it('accepts the transport certificate, and the server sees its subject', async () => {
    assert.deepEqual(await request('127.0.0.1', transport()), { cn: 'openlean sandbox TPP' });
    assert.equal(pki.transport.subject_dn, 'CN=openlean sandbox TPP,O=openlean,C=AE');
  });

  it('verifies the server as localhost and as 127.0.0.1, and names ::1 too', async () => {
    assert.deepEqual(await request('localhost', transport()), { cn: 'openlean sandbox TPP' });
    assert.deepEqual(await request('127.0.0.1', transport()), { cn: 'openlean sandbox TPP' });
    // Whether this machine has IPv6 is not the test's business; the certificate's names are.
    assert.equal(new X509Certificate(pki.server.cert_pem).checkIP('::1'), '::1');
  });

  it('accepts another client certificate issued by the CA', async () => {
    const other = await issueClientCertificate(pki.ca, 'CN=another TPP');
    assert.deepEqual(await request('127.0.0.1', { cert: other.cert_pem, key: other.key_pem }), { cn: 'another TPP' });
  });

  it('refuses a client without a certificate, and one whose certificate the CA did not issue', async () => {
    // The clients trust the server as in the tests above, so a refusal is the server's; the
    // handler never running shows no request got through.
    const before = served;
    await assert.rejects(request('127.0.0.1', null));
    const untrusted = await createUntrustedClientCertificate('CN=openlean sandbox TPP');
    await assert.rejects(request('127.0.0.1', { cert: untrusted.cert_pem, key: untrusted.key_pem }));
    assert.equal(served, before);
  });
});

describe('ensureTestPki', () => {
  it('writes the directory 0700 and keys 0600, and loads the same set on the next call', async () => {
    const dir = path.join(tempDir(), 'sandbox-pki');
    const first = await ensureTestPki(dir);
    assert.equal(first.dir, dir);
    assert.equal(fs.statSync(dir).mode & 0o777, 0o700);
    for (const file of [first.files.server_key, first.files.transport_key, first.files.signing_ps256_key, first.files.signing_es256_key]) {
      assert.equal(fs.statSync(file).mode & 0o777, 0o600, file);
    }
    for (const file of Object.values(first.files)) assert.ok(path.isAbsolute(file) && fs.existsSync(file), file);
    assert.equal(fs.readFileSync(first.files.server_cert, 'utf8'), first.server.cert_pem);
    for (const key of [first.ca.key_pem, first.server.key_pem, first.transport.key_pem, first.signing.PS256.key_pem]) {
      assert.match(key, /^-----BEGIN PRIVATE KEY-----\n/);
    }

    assert.deepEqual(await ensureTestPki(dir), first);
  });

  it('regenerates everything when one file is missing', async () => {
    const dir = tempDir();
    const first = await ensureTestPki(dir);
    fs.rmSync(first.files.transport_key);
    const second = await ensureTestPki(dir);
    assert.notEqual(second.ca.cert_pem, first.ca.cert_pem);
    assert.notEqual(second.signing.PS256.kid, first.signing.PS256.kid);
    for (const file of Object.values(second.files)) assert.ok(fs.existsSync(file), file);
    assert.deepEqual(await ensureTestPki(dir), second);
  });

  it('regenerates when a file is unreadable as PEM', async () => {
    const dir = tempDir();
    const first = await ensureTestPki(dir);
    fs.writeFileSync(first.files.ca_cert, 'not a certificate');
    assert.notEqual((await ensureTestPki(dir)).ca.cert_pem, first.ca.cert_pem);
  });

  it('regenerates when a certificate expires within 30 days, not before', async () => {
    const dir = tempDir();
    const issuedAt = Date.now();
    const first = await ensureTestPki(dir, { now: () => new Date(issuedAt) });
    const serverExpiry = new X509Certificate(first.server.cert_pem).validToDate.getTime();
    assert.deepEqual(await ensureTestPki(dir, { now: () => new Date(serverExpiry - 31 * DAY_MS) }), first);
    const renewed = await ensureTestPki(dir, { now: () => new Date(serverExpiry - 29 * DAY_MS) });
    assert.notEqual(renewed.server.cert_pem, first.server.cert_pem);
  });

  it('makes one set when several callers start at once on an empty directory', async () => {
    const dir = tempDir();
    const sets = await Promise.all([ensureTestPki(dir), ensureTestPki(dir), ensureTestPki(dir)]);
    assert.deepEqual(sets[1], sets[0]);
    assert.deepEqual(sets[2], sets[0]);
    assert.deepEqual(await ensureTestPki(dir), sets[0]);
    assert.deepEqual(
      fs.readdirSync(dir).filter((name) => name.startsWith('.')),
      [],
      'the losers remove what they staged',
    );
  });

  it('gives signing keys jose imports, whose JWTs verify with the public JWK', async () => {
    const pki = await ensureTestPki(tempDir());
    for (const alg of ['PS256', 'ES256'] as const) {
      const signing = pki.signing[alg];
      assert.deepEqual({ alg: signing.public_jwk.alg, use: signing.public_jwk.use, kid: signing.public_jwk.kid }, { alg, use: 'sig', kid: signing.kid });
      assert.equal(await calculateJwkThumbprint(signing.public_jwk), signing.kid);
      assert.equal(signing.public_jwk.d, undefined);
      const jwt = await new SignJWT({ sub: 'openlean' })
        .setProtectedHeader({ alg, kid: signing.kid })
        .sign(await importPKCS8(signing.key_pem, alg));
      const { payload, protectedHeader } = await jwtVerify(jwt, await importJWK(signing.public_jwk, alg));
      assert.equal(payload.sub, 'openlean');
      assert.equal(protectedHeader.kid, signing.kid);
    }
  });
});
