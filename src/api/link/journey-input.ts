import type { BankDefinition } from '../../banks/bank.ts';
import type { AppContext } from '../../context.ts';
import { isPermission, normalizePermissions, PERMISSIONS, type Permission } from '../../domain/permissions.ts';
import { LinkError, type ReturnTarget } from '../../link/reasons.ts';

/**
 * What a Link URL or form asks for, checked before a journey opens or moves: where its result
 * goes, which permissions, which bank. Each refusal is a LinkError page that reports to the
 * caller only where the parameters naming the caller were found valid.
 */

/** The caller's `redirect_uri`: an absolute http(s) URL without a fragment; https only in production. */
function parseRedirectUri(value: string, mode: AppContext['config']['mode']): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error('redirect_uri must be an absolute URL');
  }
  const schemes = mode === 'production' ? ['https:'] : ['https:', 'http:'];
  if (!schemes.includes(url.protocol)) throw new Error(`redirect_uri must be an ${mode === 'production' ? 'https' : 'http(s)'} URL`);
  if (value.includes('#')) throw new Error('redirect_uri must not have a fragment');
  if (url.username || url.password) throw new Error('redirect_uri must not carry credentials');
  return url.toString();
}

/** The SDK's page origin (`https://shop.example`), which the popup posts its result to. */
function parseOrigin(value: string): string {
  let url: URL | null = null;
  try {
    url = new URL(value);
  } catch {
    // Refused below with the other malformed values.
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || url.origin !== value) {
    throw new Error('origin must be a web origin such as https://app.example');
  }
  return value;
}

/**
 * Where the journey's result may go. The origin is checked first, so that a bad `redirect_uri`
 * can still be reported to the SDK's opener.
 */
export function parseTarget(query: { origin?: string; redirect_uri?: string }, mode: AppContext['config']['mode']): ReturnTarget {
  let origin: string | null = null;
  try {
    if (query.origin !== undefined) origin = parseOrigin(query.origin);
    return { origin, redirectUri: query.redirect_uri === undefined ? null : parseRedirectUri(query.redirect_uri, mode) };
  } catch (err) {
    throw new LinkError(400, 'INVALID_REQUEST', (err as Error).message, { origin, redirectUri: null });
  }
}

/** `accounts,balance,…` in Lean's vocabulary; undefined asks for all of them. */
export function parsePermissions(value: string | undefined, target: ReturnTarget): Permission[] {
  if (value === undefined) return [...PERMISSIONS];
  const items = value.split(',').map((p) => p.trim());
  const unknown = items.filter((p) => !isPermission(p));
  if (unknown.length > 0) {
    throw new LinkError(400, 'INVALID_REQUEST', `permissions must be a comma-separated list of ${PERMISSIONS.join(', ')}; got ${JSON.stringify(unknown.join(','))}`, target);
  }
  return normalizePermissions(items as Permission[]);
}

/** A bank of the registry that can serve `permissions`. */
export function bankFor(ctx: AppContext, identifier: string, permissions: readonly Permission[], target: ReturnTarget | null = null): BankDefinition {
  const bank = ctx.banks.get(identifier);
  if (!bank || !bank.capabilities.includes('data')) throw new LinkError(400, 'INVALID_REQUEST', `Unknown bank_identifier ${JSON.stringify(identifier)}`, target);
  const unsupported = permissions.filter((p) => !bank.permissions.includes(p));
  if (unsupported.length > 0) throw new LinkError(400, 'INVALID_REQUEST', `${bank.identifier} does not support ${unsupported.join(', ')}`, target);
  return bank;
}

export function banksFor(ctx: AppContext, permissions: readonly Permission[]): BankDefinition[] {
  return ctx.banks.list().filter((b) => b.capabilities.includes('data') && permissions.every((p) => b.permissions.includes(p)));
}
