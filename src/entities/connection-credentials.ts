import { open, seal, type KeyRing } from '../auth/secret-box.ts';
import type { BankCredentials } from '../banks/connector.ts';

/** Sealed with the entity id as associated data, so a row copied onto another entity does not open. */
export function sealCredentials(key: KeyRing, entityId: string, credentials: BankCredentials): string {
  return seal(key, JSON.stringify(credentials), entityId);
}

export function openCredentials(key: KeyRing, entityId: string, sealed: string): BankCredentials {
  return JSON.parse(open(key, sealed, entityId)) as BankCredentials;
}
