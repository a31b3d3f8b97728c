import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** Values sealed before key rings: no key id, opened by trying every key of the ring. */
const V1 = 'v1';
/** `v2.<key id>.<iv>.<tag>.<body>`: names the key that sealed it. */
const V2 = 'v2';
const KEY_FILE = 'encryption.key';

/**
 * The encryption keys of a deployment: `current` seals, every key opens. Keys are known by an id
 * derived from the key (an HMAC, which reveals nothing of it), recorded in each sealed value, so a
 * value sealed with a retired key still opens while that key is in the ring (`ENCRYPTION_KEYS_OLD`),
 * and `openlean keys rotate-encryption` can tell which values still need re-sealing.
 */
export interface KeyRing {
  current: { id: string; key: Buffer };
  /** Every key by id, the current one included. */
  keys: ReadonlyMap<string, Buffer>;
}

/** A key's id: the first 8 bytes of HMAC-SHA256(key, "openlean key id"), base64url (11 characters). */
export function keyId(key: Buffer): string {
  return createHmac('sha256', key).update('openlean key id').digest().subarray(0, 8).toString('base64url');
}

/** A ring sealing with `current` and opening with it and `old` (retired keys, in any order). */
export function keyRing(current: Buffer, old: readonly Buffer[] = []): KeyRing {
  const keys = new Map<string, Buffer>();
  for (const key of old) keys.set(keyId(key), key);
  const id = keyId(current);
  keys.set(id, current);
  return { current: { id, key: current }, keys };
}

/**
 * AES-256-GCM for secrets at rest (bank tokens, webhook secrets, token-signing keys...), with the
 * ring's current key. The output names its format version and key id; a tampered or foreign value
 * fails to open instead of decrypting to junk. `aad` binds the value to its place (e.g. its row's
 * id), so a value copied elsewhere does not open there.
 */
export function seal(ring: KeyRing, plaintext: string, aad = ''): string {
  const { id, key: current } = ring.current;
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', current, iv);
  cipher.setAAD(Buffer.from(aad));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [V2, id, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
}

function decrypt(key: Buffer, iv: string, tag: string, body: string, aad: string): string {
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  decipher.setAAD(Buffer.from(aad));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
}

/**
 * Opens what `seal` produced with a key of the ring and the same `aad`; throws on anything else,
 * including a value sealed with a key the ring does not hold.
 */
export function open(ring: KeyRing, sealed: string, aad = ''): string {
  const parts = sealed.split('.');
  if (parts[0] === V2 && parts.length === 5) {
    const [, id, iv, tag, body] = parts as [string, string, string, string, string];
    const k = ring.keys.get(id);
    if (!k) throw new Error(`sealed with an unknown key (id ${id}): is it missing from ENCRYPTION_KEYS_OLD?`);
    return decrypt(k, iv, tag, body, aad);
  }
  if (parts[0] === V1 && parts.length === 4) {
    const [, iv, tag, body] = parts as [string, string, string, string];
    // No key id: the current key first (it sealed nearly all), then the retired ones.
    const candidates = [ring.current.key, ...[...ring.keys.values()].filter((k) => k !== ring.current.key)];
    for (const k of candidates) {
      try {
        return decrypt(k, iv, tag, body, aad);
      } catch {
        // Not this key.
      }
    }
    throw new Error('no key of the ring opens this value');
  }
  throw new Error('not a sealed value');
}

/** Whether `value` looks sealed (by any key, in any version): the test for data still in clear. */
export function isSealed(value: string): boolean {
  const parts = value.split('.');
  return (parts[0] === V2 && parts.length === 5) || (parts[0] === V1 && parts.length === 4);
}

/** Whether `sealed` was sealed with the ring's current key, i.e. needs no re-sealing. */
export function sealedWithCurrent(ring: KeyRing, sealed: string): boolean {
  return sealed.startsWith(`${V2}.${ring.current.id}.`);
}

/** The prefix every value sealed with the ring's current key starts with (for SQL `like`). */
export function currentPrefix(ring: KeyRing): string {
  return `${V2}.${ring.current.id}.`;
}

/** Decodes a 32-byte key given as base64 or hex; throws naming what is wrong. */
export function parseKey(text: string): Buffer {
  const trimmed = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(trimmed) ? Buffer.from(trimmed, 'hex') : Buffer.from(trimmed, 'base64');
  if (key.length !== 32) throw new Error('the encryption key must be 32 bytes, as base64 or 64 hex digits');
  return key;
}

/**
 * The key from `ENCRYPTION_KEY` when set (required when several machines share a database);
 * otherwise the one in `$DATA_DIR/encryption.key`, created on first use, readable by its owner only.
 */
export function loadOrCreateKey(configured: string | undefined, dataDir: string): Buffer {
  if (configured) return parseKey(configured);
  const file = path.join(dataDir, KEY_FILE);
  fs.mkdirSync(dataDir, { recursive: true });
  try {
    fs.writeFileSync(file, randomBytes(32).toString('base64') + '\n', { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  return parseKey(fs.readFileSync(file, 'utf8'));
}

/**
 * The deployment's ring: `loadOrCreateKey`'s key current, and the retired keys of
 * `ENCRYPTION_KEYS_OLD` (comma-separated) still opening what they sealed.
 */
export function loadKeyRing(configured: string | undefined, old: readonly string[], dataDir: string): KeyRing {
  return keyRing(loadOrCreateKey(configured, dataDir), old.map(parseKey));
}
