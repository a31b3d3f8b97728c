import assert from 'node:assert/strict';
import { SignJWT, decodeJwt, decodeProtectedHeader, generateKeyPair } from 'jose';
import type { ApiResponse, TestServer } from './server.ts';

/** Sends the route's request with the given Authorization header value (or none). */
export type Call = (authorization: string | undefined) => Promise<ApiResponse>;

function assertUnauthorized(res: ApiResponse, code: string, what: string): void {
  assert.equal(res.status, 401, `${what}: expected 401, got ${res.status} ${res.text}`);
  assert.equal(res.body.code, code, what);
  assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer /, `${what}: WWW-Authenticate`);
  assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
}

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

/**
 * The checks every secured route runs: no token, a malformed header, an expired token, a token
 * signed by another key, an unsigned (`alg: none`) token, one for another audience, and (for
 * backend-only routes) a customer-scoped token. Another application's ids are route-specific and
 * tested beside each route.
 */
export async function assertSecured(server: TestServer, call: Call, options: { apiOnly: boolean; customerId?: string }): Promise<void> {
  assertUnauthorized(await call(undefined), 'UNAUTHENTICATED', 'no token');
  assertUnauthorized(await call('Token abc'), 'INVALID_TOKEN', 'not a bearer header');
  assertUnauthorized(await call('Bearer not-a-jwt'), 'INVALID_TOKEN', 'garbage token');

  const good = await server.token();
  const header = decodeProtectedHeader(good);
  const claims = decodeJwt(good);

  const { privateKey } = await generateKeyPair('ES256');
  const foreign = await new SignJWT({ ...claims }).setProtectedHeader({ alg: 'ES256', kid: header.kid! }).sign(privateKey);
  assertUnauthorized(await call(`Bearer ${foreign}`), 'INVALID_TOKEN', 'token signed by another key');

  const unsigned = `${b64({ alg: 'none', kid: header.kid })}.${b64(claims)}.`;
  assertUnauthorized(await call(`Bearer ${unsigned}`), 'INVALID_TOKEN', 'alg none');

  // The genuine token is verified, and so cached, first (not by calling the route, which may not
  // be idempotent): the cache is keyed by the signature, which the tampered token keeps.
  await server.server.ctx.tokens.verify(good);
  const tampered = good.split('.');
  tampered[1] = b64({ ...claims, app_id: '00000000-0000-4000-8000-000000000000' });
  assertUnauthorized(await call(`Bearer ${tampered.join('.')}`), 'INVALID_TOKEN', 'tampered payload');

  server.advanceClock(2 * 3600_000);
  try {
    assertUnauthorized(await call(`Bearer ${good}`), 'INVALID_TOKEN', 'expired token');
  } finally {
    server.advanceClock(-2 * 3600_000);
  }

  if (options.apiOnly && options.customerId) {
    const customerToken = await server.token(server.app, `customer.${options.customerId}`);
    const res = await call(`Bearer ${customerToken}`);
    assert.equal(res.status, 403, `customer-scoped token: ${res.text}`);
    assert.equal(res.body.code, 'INSUFFICIENT_SCOPE');
  }
}
