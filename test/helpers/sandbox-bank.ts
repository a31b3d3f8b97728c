import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import YAML from 'yaml';
import { approveConsent, type ApproveOptions } from '../../src/sandbox-bank/automate-consent.ts';
import { SANDBOX_CLIENT } from '../../src/sandbox-bank/client.ts';

const SPEC_FILE = path.resolve(import.meta.dirname, '../../spec/vendor/obie-account-info-openapi-v3.1.11.yaml');
const SPEC_ID = 'urn:openlean:obie-aisp-3-1-11';

interface Operation {
  responses: Record<string, { $ref?: string }>;
}
interface Spec {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown>; responses: Record<string, { content?: Record<string, { schema: { $ref: string } }> }> };
}

/** OpenAPI 3.0 `nullable: true` has no JSON Schema equivalent keyword: it becomes a union with null. */
function withNullable(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withNullable);
  if (!node || typeof node !== 'object') return node;
  const { nullable, ...rest } = node as Record<string, unknown>;
  const out = Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, withNullable(v)]));
  return nullable === true ? { anyOf: [out, { type: 'null' }] } : out;
}

/**
 * Validates bodies against the vendored OBIE v3.1.11 Account and Transaction API document, with
 * its `#/components/...` references resolved in place. `extraConsentStatuses` widens the consent
 * status enum for the statuses the sandbox adds on purpose (docs/sandbox-banks.md).
 */
export class ObieSpec {
  readonly #spec: Spec;
  readonly #ajv = new Ajv({ strict: false, allErrors: true });
  readonly #compiled = new Map<string, ValidateFunction>();

  constructor(extraConsentStatuses: string[] = []) {
    this.#spec = withNullable(YAML.parse(fs.readFileSync(SPEC_FILE, 'utf8'))) as Spec;
    (addFormats as unknown as (ajv: Ajv) => void)(this.#ajv);
    const components = structuredClone(this.#spec.components);
    const consent = components.schemas.OBReadConsentResponse1 as { properties: { Data: { properties: { Status: { enum: string[] } } } } };
    consent.properties.Data.properties.Status.enum.push(...extraConsentStatuses);
    this.#ajv.addSchema({ $id: SPEC_ID, components });
  }

  /** Asserts `body` is a valid `components/schemas/<name>`. */
  check(name: string, body: unknown): void {
    let validate = this.#compiled.get(name);
    if (!validate) {
      validate = this.#ajv.compile({ $ref: `${SPEC_ID}#/components/schemas/${name}` });
      this.#compiled.set(name, validate);
    }
    assert.ok(validate(body), `not a valid ${name}: ${this.#ajv.errorsText(validate.errors)}\n${JSON.stringify(body).slice(0, 600)}`);
  }

  /**
   * Asserts the response is what the spec documents for the operation: its schema for the
   * status when the spec gives one, `OBErrorResponse1` for any other error with a body.
   */
  response(method: string, template: string, status: number, body: unknown): void {
    const operation = this.#spec.paths[template]?.[method.toLowerCase()];
    assert.ok(operation, `${method} ${template} is not in the OBIE spec`);
    const ref = operation.responses[String(status)]?.$ref;
    const schema = ref ? this.#spec.components.responses[ref.split('/').pop()!]?.content?.['application/json']?.schema.$ref : undefined;
    if (schema) return this.check(schema.split('/').pop()!, body);
    if (status >= 400 && body !== undefined) return this.check('OBErrorResponse1', body);
    assert.equal(body, undefined, `${method} ${template} ${status} has no documented body`);
  }
}

export function tempDir(prefix = 'sandbox-bank-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export const BASIC = 'Basic ' + Buffer.from(`${SANDBOX_CLIENT.client_id}:${SANDBOX_CLIENT.client_secret}`).toString('base64');
export const REDIRECT_URI = 'https://tpp.example/callback';

export const FULL_PERMISSIONS = [
  'ReadAccountsDetail',
  'ReadBalances',
  'ReadTransactionsDetail',
  'ReadTransactionsCredits',
  'ReadTransactionsDebits',
  'ReadBeneficiariesDetail',
  'ReadDirectDebits',
  'ReadStandingOrdersDetail',
  'ReadScheduledPaymentsDetail',
  'ReadParty',
  'ReadPartyPSU',
];

export interface Reply<T = any> {
  status: number;
  headers: Headers;
  text: string;
  body: T;
}

export async function call(url: string, init: RequestInit = {}): Promise<Reply> {
  const res = await fetch(url, { redirect: 'manual', ...init });
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  return { status: res.status, headers: res.headers, text, body };
}

export async function token(bankUrl: string, form: Record<string, string>, authorization: string | null = BASIC): Promise<Reply> {
  return call(`${bankUrl}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(authorization ? { authorization } : {}) },
    body: new URLSearchParams(form),
  });
}

export async function clientToken(bankUrl: string): Promise<string> {
  const res = await token(bankUrl, { grant_type: 'client_credentials', scope: 'accounts' });
  assert.equal(res.status, 200, res.text);
  return res.body.access_token;
}

export async function createConsent(bankUrl: string, data: Record<string, unknown> = {}): Promise<Reply> {
  const cc = await clientToken(bankUrl);
  return call(`${bankUrl}/open-banking/v3.1/aisp/account-access-consents`, {
    method: 'POST',
    headers: { authorization: `Bearer ${cc}`, 'content-type': 'application/json' },
    body: JSON.stringify({ Data: { Permissions: FULL_PERMISSIONS, ...data }, Risk: {} }),
  });
}

export function pkce() {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export function authorizeUrl(bankUrl: string, params: Record<string, string>): string {
  const url = new URL(`${bankUrl}/authorize`);
  const defaults = { response_type: 'code', client_id: SANDBOX_CLIENT.client_id, redirect_uri: REDIRECT_URI, scope: 'openid accounts', state: 'st-1', nonce: 'n-1', code_challenge_method: 'S256' };
  for (const [k, v] of Object.entries({ ...defaults, ...params })) url.searchParams.set(k, v);
  return url.toString();
}

export interface Connection {
  consentId: string;
  accessToken: string;
  refreshToken: string;
  ais: string;
  get(pathOrUrl: string, headers?: Record<string, string>): Promise<Reply>;
  /** Swaps the tokens for new ones with the refresh grant, as a client does once its access token expires. */
  refresh(): Promise<void>;
}

/** A consent authorised through the journey, and its tokens. */
export async function connect(
  bankUrl: string,
  login: string,
  options: { data?: Record<string, unknown>; approve?: Partial<ApproveOptions> } = {},
): Promise<Connection> {
  const created = await createConsent(bankUrl, options.data);
  assert.equal(created.status, 201, created.text);
  const consentId: string = created.body.Data.ConsentId;
  const { verifier, challenge } = pkce();
  const back = new URL(await approveConsent(authorizeUrl(bankUrl, { consent_id: consentId, code_challenge: challenge }), { login, ...options.approve }));
  const code = back.searchParams.get('code');
  assert.ok(code, `authorised: ${back}`);
  const exchanged = await token(bankUrl, { grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: REDIRECT_URI });
  assert.equal(exchanged.status, 200, exchanged.text);
  const ais = `${bankUrl}/open-banking/v3.1/aisp`;
  const connection: Connection = {
    consentId,
    accessToken: exchanged.body.access_token,
    refreshToken: exchanged.body.refresh_token,
    ais,
    get: (pathOrUrl, headers = {}) =>
      call(pathOrUrl.startsWith('http') ? pathOrUrl : `${ais}${pathOrUrl}`, { headers: { authorization: `Bearer ${connection.accessToken}`, ...headers } }),
    async refresh() {
      const res = await token(bankUrl, { grant_type: 'refresh_token', refresh_token: connection.refreshToken });
      assert.equal(res.status, 200, res.text);
      connection.accessToken = res.body.access_token;
      connection.refreshToken = res.body.refresh_token;
    },
  };
  return connection;
}

export async function putJson(url: string, body: unknown): Promise<Reply> {
  return call(url, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}
