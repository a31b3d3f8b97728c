import { createPrivateKey, createPublicKey, generateKeyPair, KeyObject, type webcrypto } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
// @peculiar/x509 finds its algorithms through tsyringe, which needs the Reflect metadata API.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { calculateJwkThumbprint, exportJWK, type JWK } from 'jose';

x509.cryptoProvider.set(globalThis.crypto);

/** A certificate and its private key, PEM (the key PKCS#8, `-----BEGIN PRIVATE KEY-----`). */
export interface CertificateAndKey {
  cert_pem: string;
  key_pem: string;
}

/** openlean's key for client assertions and request objects, as a bank registration names it. */
export interface TestSigningKey {
  /** PKCS#8 PEM. */
  key_pem: string;
  /** RFC 7638 JWK thumbprint (SHA-256, base64url) of the public key. */
  kid: string;
  /** The public key with `kid`, `alg` and `use: 'sig'`: what a bank's copy of openlean's JWKS holds. */
  public_jwk: JWK;
}

/**
 * The sandbox banks' mutual-TLS world: one CA, the banks' TLS server certificate, openlean's
 * transport (client) certificate and signing keys. Every key is ECDSA P-256 except PS256's (RSA 2048).
 */
export interface TestPki {
  /** The directory given to {@link ensureTestPki}, absolute. */
  dir: string;
  /** Self-signed, `CN=openlean sandbox CA`; valid 10 years. */
  ca: CertificateAndKey;
  /** For `localhost`, `127.0.0.1` and `::1`, serverAuth; valid 2 years. */
  server: CertificateAndKey;
  /**
   * clientAuth, valid 2 years. `subject_dn` is its subject as RFC 4514 text, what RFC 8705's
   * `tls_client_auth_subject_dn` holds: `CN=openlean sandbox TPP,O=openlean,C=AE`.
   */
  transport: CertificateAndKey & { subject_dn: string };
  signing: { PS256: TestSigningKey; ES256: TestSigningKey };
  /** Absolute paths of the PEM files, for `BANKS_FILE` entries, which name files. */
  files: {
    ca_cert: string;
    server_cert: string;
    server_key: string;
    transport_cert: string;
    transport_key: string;
    signing_ps256_key: string;
    signing_es256_key: string;
  };
}

const CA_SUBJECT = 'CN=openlean sandbox CA';
/** In DER order, most general first, as X.509 tools expect; its RFC 4514 text reads the other way round. */
const TRANSPORT_SUBJECT: x509.JsonName = [{ C: ['AE'] }, { O: ['openlean'] }, { CN: ['openlean sandbox TPP'] }];
const SERVER_NAMES: x509.JsonGeneralNames = [
  { type: 'dns', value: 'localhost' },
  { type: 'ip', value: '127.0.0.1' },
  { type: 'ip', value: '::1' },
];

const DAY_MS = 24 * 60 * 60 * 1000;
const CA_VALIDITY_DAYS = 3650;
const LEAF_VALIDITY_DAYS = 730;
/** A set whose certificates expire sooner than this is replaced, so no start runs into an expiry. */
const RENEW_BEFORE_DAYS = 30;
/** notBefore lies this far back, so a peer whose clock is a little behind still accepts the certificate. */
const BACKDATE_MS = 60 * 60 * 1000;

const EC_P256 = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const ECDSA_SHA256 = { name: 'ECDSA', hash: 'SHA-256' } as const;

/** File names inside a generation directory; `ca-key.pem` is there to issue more certificates with. */
const FILE_NAMES = {
  ca_cert: 'ca.pem',
  ca_key: 'ca-key.pem',
  server_cert: 'server.pem',
  server_key: 'server-key.pem',
  transport_cert: 'transport.pem',
  transport_key: 'transport-key.pem',
  signing_ps256_key: 'signing-ps256-key.pem',
  signing_es256_key: 'signing-es256-key.pem',
} as const;
type FileKey = keyof typeof FILE_NAMES;
const KEY_FILES: ReadonlySet<FileKey> = new Set(['ca_key', 'server_key', 'transport_key', 'signing_ps256_key', 'signing_es256_key']);

const GENERATION = /^generation-(\d+)$/;
/** Attempts to load or commit a generation; more than one only when another process commits meanwhile. */
const MAX_ATTEMPTS = 3;

/**
 * Loads the test PKI under `dir`, or makes it: on the first call, and again whenever a file is
 * missing or unreadable or a certificate expires within 30 days. `dir` is created with mode 0700,
 * key files with 0600.
 *
 * The files of a set live in `dir/generation-N/`, written into a temporary directory first and
 * renamed into place whole. Renaming a directory onto an existing non-empty one fails, so when
 * processes start at once exactly one commits generation N and the others load it; a reader never
 * sees half a set. Older generations are removed once a newer one is committed.
 *
 * `now` is the clock validity is judged and issued by. Throws when the directory cannot be
 * written, or when a freshly committed generation keeps being replaced by other processes.
 */
export async function ensureTestPki(dir: string, options: { now?: () => Date } = {}): Promise<TestPki> {
  const now = options.now ?? (() => new Date());
  const root = path.resolve(dir);
  await mkdir(root, { recursive: true, mode: 0o700 });
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const latest = await latestGeneration(root);
    if (latest !== null) {
      const loaded = await loadGeneration(root, generationDir(root, latest), now());
      if (loaded) return loaded;
    }
    const next = (latest ?? 0) + 1;
    const staging = await mkdtemp(path.join(root, '.staging-'));
    try {
      await writeGeneration(staging, await generateSet(now()));
      await rename(staging, generationDir(root, next));
    } catch (err) {
      await rm(staging, { recursive: true, force: true });
      // rename(2) onto a non-empty directory fails: another process committed this generation first.
      if (await exists(generationDir(root, next))) continue;
      throw err;
    }
    await removeGenerationsBefore(root, next);
    const committed = await loadGeneration(root, generationDir(root, next), now());
    if (committed) return committed;
  }
  throw new Error(`test PKI in ${root}: other processes kept replacing the generation this one committed`);
}

/** A client certificate (clientAuth, 2 years, new P-256 key) issued by `ca`, an ECDSA P-256 CA such as {@link TestPki.ca}. */
export async function issueClientCertificate(ca: CertificateAndKey, subject: string): Promise<CertificateAndKey> {
  const issuer = {
    cert: new x509.X509Certificate(ca.cert_pem),
    key: createPrivateKey(ca.key_pem).toCryptoKey(EC_P256, false, ['sign']),
  };
  return issueLeaf(issuer, subject, 'client', new Date());
}

/**
 * A client certificate under a CA of its own that nothing trusts: what a "wrong client
 * certificate" looks like to a server trusting only the test CA.
 */
export async function createUntrustedClientCertificate(subject: string): Promise<CertificateAndKey & { ca: CertificateAndKey }> {
  const now = new Date();
  const ca = await createCa('CN=untrusted test CA', now);
  return { ...(await issueLeaf(ca, subject, 'client', now)), ca: { cert_pem: ca.cert.toString('pem'), key_pem: exportPkcs8(ca.key) } };
}

type Issuer = { cert: x509.X509Certificate; key: webcrypto.CryptoKey };
type GeneratedSet = Record<FileKey, string>;

async function generateSet(now: Date): Promise<GeneratedSet> {
  const ca = await createCa(CA_SUBJECT, now);
  const [server, transport, ps256, es256] = await Promise.all([
    issueLeaf(ca, 'CN=localhost', 'server', now),
    issueLeaf(ca, TRANSPORT_SUBJECT, 'client', now),
    generateSigningKey('PS256'),
    generateSigningKey('ES256'),
  ]);
  return {
    ca_cert: ca.cert.toString('pem'),
    ca_key: exportPkcs8(ca.key),
    server_cert: server.cert_pem,
    server_key: server.key_pem,
    transport_cert: transport.cert_pem,
    transport_key: transport.key_pem,
    signing_ps256_key: ps256,
    signing_es256_key: es256,
  };
}

async function createCa(subject: string, now: Date): Promise<Issuer> {
  const keys = await generateEcKeys();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: subject,
    keys,
    ...validity(now, CA_VALIDITY_DAYS),
    signingAlgorithm: ECDSA_SHA256,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert, key: keys.privateKey };
}

async function issueLeaf(issuer: Issuer, subject: string | x509.JsonName, role: 'server' | 'client', now: Date): Promise<CertificateAndKey> {
  const keys = await generateEcKeys();
  const cert = await x509.X509CertificateGenerator.create({
    subject,
    issuer: issuer.cert.subjectName,
    publicKey: keys.publicKey,
    signingKey: issuer.key,
    ...validity(now, LEAF_VALIDITY_DAYS),
    signingAlgorithm: ECDSA_SHA256,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([role === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth]),
      ...(role === 'server' ? [new x509.SubjectAlternativeNameExtension(SERVER_NAMES)] : []),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(issuer.cert.publicKey),
    ],
  });
  return { cert_pem: cert.toString('pem'), key_pem: exportPkcs8(keys.privateKey) };
}

function validity(now: Date, days: number): { notBefore: Date; notAfter: Date } {
  return { notBefore: new Date(now.getTime() - BACKDATE_MS), notAfter: new Date(now.getTime() + days * DAY_MS) };
}

async function generateEcKeys(): Promise<webcrypto.CryptoKeyPair> {
  // Extractable, so the private key can be written out as PKCS#8.
  return globalThis.crypto.subtle.generateKey(EC_P256, true, ['sign', 'verify']);
}

function exportPkcs8(key: webcrypto.CryptoKey): string {
  return KeyObject.from(key).export({ type: 'pkcs8', format: 'pem' }) as string;
}

const generateKeyPairAsync = promisify(generateKeyPair);

/** A signing key as PKCS#8 PEM; RSA as `rsaEncryption`, not RSASSA-PSS, which is what `importPKCS8(pem, 'PS256')` reads. */
async function generateSigningKey(alg: 'PS256' | 'ES256'): Promise<string> {
  const { privateKey } =
    alg === 'PS256' ? await generateKeyPairAsync('rsa', { modulusLength: 2048 }) : await generateKeyPairAsync('ec', { namedCurve: 'P-256' });
  return privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
}

async function writeGeneration(target: string, set: GeneratedSet): Promise<void> {
  await Promise.all(
    (Object.keys(FILE_NAMES) as FileKey[]).map((key) =>
      writeFile(path.join(target, FILE_NAMES[key]), set[key], { mode: KEY_FILES.has(key) ? 0o600 : 0o644 }),
    ),
  );
}

/**
 * The set in `generationPath`, or null when a file is missing or unreadable or a certificate is
 * not valid for another {@link RENEW_BEFORE_DAYS} days at `now`.
 */
async function loadGeneration(root: string, generationPath: string, now: Date): Promise<TestPki | null> {
  const files = Object.fromEntries((Object.keys(FILE_NAMES) as FileKey[]).map((key) => [key, path.join(generationPath, FILE_NAMES[key])])) as Record<FileKey, string>;
  let pem: Record<FileKey, string>;
  try {
    pem = Object.fromEntries(await Promise.all((Object.keys(files) as FileKey[]).map(async (key) => [key, await readFile(files[key], 'utf8')]))) as Record<FileKey, string>;
  } catch (err) {
    if (isErrnoException(err) && (err.code === 'ENOENT' || err.code === 'EACCES' || err.code === 'EISDIR')) return null;
    throw err;
  }
  let transportSubject: string;
  let signing: TestPki['signing'];
  try {
    const renewBy = new Date(now.getTime() + RENEW_BEFORE_DAYS * DAY_MS);
    const certificates = [pem.ca_cert, pem.server_cert, pem.transport_cert].map((text) => new x509.X509Certificate(text));
    if (certificates.some((cert) => cert.notAfter < renewBy || cert.notBefore > now)) return null;
    for (const key of [pem.ca_key, pem.server_key, pem.transport_key]) createPrivateKey(key);
    transportSubject = rfc4514(certificates[2]!.subjectName);
    signing = {
      PS256: await signingKey(pem.signing_ps256_key, 'PS256'),
      ES256: await signingKey(pem.signing_es256_key, 'ES256'),
    };
  } catch {
    // Whatever fails to parse is replaced by a fresh set, like a missing file.
    return null;
  }
  return {
    dir: root,
    ca: { cert_pem: pem.ca_cert, key_pem: pem.ca_key },
    server: { cert_pem: pem.server_cert, key_pem: pem.server_key },
    transport: { cert_pem: pem.transport_cert, key_pem: pem.transport_key, subject_dn: transportSubject },
    signing,
    files: {
      ca_cert: files.ca_cert,
      server_cert: files.server_cert,
      server_key: files.server_key,
      transport_cert: files.transport_cert,
      transport_key: files.transport_key,
      signing_ps256_key: files.signing_ps256_key,
      signing_es256_key: files.signing_es256_key,
    },
  };
}

/** RFC 4514 §2: RDNs last to first, `,` between them, `+` within one; values escaped per §2.4. */
function rfc4514(name: x509.Name): string {
  const escape = (value: string) => value.replace(/["+,;<>\\]/g, '\\$&').replace(/^[ #]/, '\\$&').replace(/ $/, '\\ ');
  return name
    .toJSON()
    .reverse()
    .map((rdn) => Object.entries(rdn).flatMap(([type, values]) => values.map((value) => `${type}=${escape(value)}`)).join('+'))
    .join(',');
}

async function signingKey(keyPem: string, alg: 'PS256' | 'ES256'): Promise<TestSigningKey> {
  const jwk = await exportJWK(createPublicKey(createPrivateKey(keyPem)));
  const kid = await calculateJwkThumbprint(jwk);
  return { key_pem: keyPem, kid, public_jwk: { ...jwk, kid, alg, use: 'sig' } };
}

async function latestGeneration(root: string): Promise<number | null> {
  const numbers = (await readdir(root)).flatMap((name) => {
    const match = GENERATION.exec(name);
    return match ? [Number(match[1])] : [];
  });
  return numbers.length === 0 ? null : Math.max(...numbers);
}

async function removeGenerationsBefore(root: string, generation: number): Promise<void> {
  for (const name of await readdir(root)) {
    const match = GENERATION.exec(name);
    if (match && Number(match[1]) < generation) await rm(path.join(root, name), { recursive: true, force: true });
  }
}

function generationDir(root: string, generation: number): string {
  return path.join(root, `generation-${generation}`);
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}

function isErrnoException(err: unknown): err is NodeJS.ErrnoException {
  return err instanceof Error && 'code' in err;
}
