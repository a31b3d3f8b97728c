import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createUntrustedClientCertificate } from '../../src/pki/test-pki.ts';

const pkcs8Pem = (key: crypto.KeyObject) => key.export({ type: 'pkcs8', format: 'pem' }) as string;

/** File names under the directory `writeBankCredentials` filled, as a BANKS_FILE entry names them. */
export interface BankCredentialFiles {
  /** RSA 2048, for PS256. */
  rsa: string;
  /** EC P-256, for ES256. */
  ec: string;
  cert: string;
  key: string;
  /** A key that is not `cert`'s. */
  otherKey: string;
  ca: string;
}

/**
 * Writes, into `dir`, the keys and certificates BANKS_FILE entries name; generated per test run,
 * never committed. Also returns their PEM contents, by the same names.
 */
export async function writeBankCredentials(dir: string): Promise<{ files: BankCredentialFiles; pem: Record<keyof BankCredentialFiles, string> }> {
  const transport = await createUntrustedClientCertificate('CN=openlean transport');
  const pem: Record<keyof BankCredentialFiles, string> = {
    rsa: pkcs8Pem(crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey),
    ec: pkcs8Pem(crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey),
    cert: transport.cert_pem,
    key: transport.key_pem,
    otherKey: pkcs8Pem(crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey),
    ca: transport.ca.cert_pem,
  };
  const files: BankCredentialFiles = { rsa: 'signing-rsa.pem', ec: 'signing-ec.pem', cert: 'transport.crt', key: 'transport.key', otherKey: 'other.key', ca: 'ca.pem' };
  for (const name of Object.keys(files) as (keyof BankCredentialFiles)[]) fs.writeFileSync(path.join(dir, files[name]), pem[name], { mode: 0o600 });
  return { files, pem };
}
