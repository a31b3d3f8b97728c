import fs from 'node:fs';
import path from 'node:path';

/** An application's client credentials. */
export interface Credentials {
  client_id: string;
  client_secret: string;
}

/** A response read whole: `text` as sent, `body` parsed from it (undefined when empty). */
export interface Reply {
  status: number;
  text: string;
  body: any;
  headers: Headers;
}

/**
 * `pathname` on `base`, with `headers`, and the bearer `token` and `entity_id` header when given;
 * `json` is sent as the body (and makes the default method POST). Throws unless the status is
 * `expect` (200).
 */
export async function call(
  base: string,
  pathname: string,
  init: { method?: string; headers?: Record<string, string>; token?: string; entity?: string; json?: unknown; expect?: number } = {},
): Promise<Reply> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  if (init.entity) headers.entity_id = init.entity;
  if (init.json) headers['content-type'] = 'application/json';
  const method = init.method ?? (init.json ? 'POST' : 'GET');
  const res = await fetch(base + pathname, { method, headers, body: init.json ? JSON.stringify(init.json) : undefined });
  const text = await res.text();
  const expect = init.expect ?? 200;
  if (res.status !== expect) throw new Error(`${method} ${base}${pathname}: ${res.status} (expected ${expect}) ${text}`);
  return { status: res.status, text, body: text ? JSON.parse(text) : undefined, headers: res.headers };
}

/** An access token (scope `api`) from the server at `api` for the application `credentials`. */
export async function tokenFor(api: string, credentials: Credentials): Promise<string> {
  const res = await fetch(`${api}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'api', client_id: credentials.client_id, client_secret: credentials.client_secret }),
  });
  if (!res.ok) throw new Error(`token: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

/** The sandbox application `openlean serve` writes to its data directory on first start. */
export function sandboxApp(dataDir: string): Credentials {
  return JSON.parse(fs.readFileSync(path.join(dataDir, 'sandbox-app.json'), 'utf8')) as Credentials;
}

/** A new customer's id. */
export async function createCustomer(api: string, token: string, appUserId: string): Promise<string> {
  return (await call(api, '/customers/v1', { token, json: { app_user_id: appUserId }, expect: 201 })).body.customer_id;
}

/** A sandbox entity and its INITIAL refresh, queued by the server (the bank and profile default when not given). */
export interface SandboxEntity {
  id: string;
  refresh_id: string;
}

export async function createEntity(
  api: string,
  token: string,
  entity: { customer_id: string; login: string; bank_identifier?: string; profile?: string },
): Promise<SandboxEntity> {
  const res = await call(api, '/sandbox/v1/entities', { token, json: entity, expect: 201 });
  return { id: res.body.id, refresh_id: res.body.refresh_id };
}

/** The entity's refresh, polled every `pollMs` until FINISHED (its last state is returned); throws if it FAILED or takes over 2 minutes. */
export async function waitFinished(api: string, token: string, entity: SandboxEntity, pollMs = 50): Promise<any> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const refresh = (await call(api, `/data/v2/refreshes/${entity.refresh_id}`, { token, entity: entity.id })).body;
    if (refresh.status === 'FINISHED') return refresh;
    if (refresh.status === 'FAILED') throw new Error(`refresh ${entity.refresh_id} failed: ${JSON.stringify(refresh.error)}`);
    if (Date.now() > deadline) throw new Error(`refresh ${entity.refresh_id} still ${refresh.status}`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/** The entity's account with the most transactions (the `X-Total-Count` of its first page). */
export async function busiestAccount(api: string, token: string, entityId: string): Promise<{ id: string; total: number }> {
  const accounts = (await call(api, '/data/v2/accounts', { token, entity: entityId })).body as Array<{ account_id: string }>;
  let best = { id: '', total: -1 };
  for (const a of accounts) {
    const res = await call(api, `/data/v2/accounts/${a.account_id}/transactions?size=1`, { token, entity: entityId });
    const total = Number(res.headers.get('x-total-count'));
    if (total > best.total) best = { id: a.account_id, total };
  }
  return best;
}

/** The `Link: rel="next"` URL of a page, or null on the last. */
export const nextLink = (res: Reply) => /^<([^>]+)>; rel="next"$/.exec(res.headers.get('link') ?? '')?.[1] ?? null;
