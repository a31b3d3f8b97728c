import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import fc from 'fast-check';
import { generate, type JsonSchema } from 'json-schema-faker';
import { describeDialects } from '../helpers/dialects.ts';
import { startTestServer, type ApiResponse, type TestServer } from '../helpers/server.ts';

/**
 * A property-based fuzz of every operation of the published `/openapi.json`, as a third-party
 * fuzzer (Schemathesis) runs it: inputs valid by the document (json-schema-faker, seeded by
 * fast-check) and inputs the document forbids (fast-check arbitraries replacing, adding or
 * dropping a parameter or the body). Whatever is sent, the answer is never a 5xx, its status is
 * one the operation documents and its body matches that status's schema (the test server's
 * validator), every error is problem+json carrying the `x-request-id` it answered with (RFC 6749's
 * own format on the token endpoint), and a documented integer header is an integer.
 */

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  schema: JsonSchema;
}
interface Operation {
  method: string;
  path: string;
  parameters: Parameter[];
  body?: { mediaType: string; schema: JsonSchema; required: boolean };
  responses: Record<string, { headers?: Record<string, { schema?: { type?: string } }> }>;
}
interface Request {
  path: Record<string, string>;
  query: Record<string, string>;
  headers: Record<string, string>;
  body?: unknown;
  /** A body sent as this text, not serialised. */
  rawBody?: string;
}

/** The fuzz's size: requests per operation, valid and invalid; the whole runs in well under a minute. */
const VALID_RUNS = 15;
const INVALID_RUNS = 25;
const SEED = 20261130;

/** Inlines `#/components/schemas/…` references (the document has no cycles). */
function resolve(schema: unknown, components: Record<string, unknown>): any {
  if (Array.isArray(schema)) return schema.map((s) => resolve(s, components));
  if (!schema || typeof schema !== 'object') return schema;
  const ref = (schema as { $ref?: string }).$ref;
  if (ref) return resolve(components[ref.replace('#/components/schemas/', '')], components);
  return Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, resolve(v, components)]));
}

function operationsOf(doc: any): Operation[] {
  const ops: Operation[] = [];
  for (const [path, methods] of Object.entries<any>(doc.paths)) {
    for (const [method, op] of Object.entries<any>(methods)) {
      const [mediaType, media] = Object.entries<any>(op.requestBody?.content ?? {})[0] ?? [];
      ops.push({
        method: method.toUpperCase(),
        path,
        parameters: resolve(op.parameters ?? [], doc.components.schemas),
        ...(mediaType ? { body: { mediaType, schema: resolve(media.schema, doc.components.schemas), required: op.requestBody.required === true } } : {}),
        responses: op.responses,
      });
    }
  }
  // What destroys the fixtures (the entity, the webhook endpoint) runs last.
  return ops.sort((a, b) => Number(a.method === 'DELETE') - Number(b.method === 'DELETE'));
}

/** A value as a URL path segment: never empty nor a dot segment, which the URL parser would resolve away. */
function segment(value: string): string {
  const encoded = encodeURIComponent(value);
  return encoded === '' || /^(\.|%2e){1,2}$/i.test(encoded) ? `x${encoded}` : encoded;
}

const asText = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));

describeDialects('fuzz of the published OpenAPI document', (dialect) => {
  let s: TestServer;
  let token: string;
  let known: Record<string, string>;
  let operations: Operation[];

  before(async () => {
    s = await startTestServer({ dialect });
    token = await s.token();
    const appUserId = `fuzz-${process.pid}`;
    const customerId = await s.createCustomer(token, appUserId);
    const entity = await s.createSandboxEntity(token, { customer_id: customerId, profile: 'thin' });
    const accounts = await s.request('/data/v2/accounts', { token, headers: { entity_id: entity.id } });
    const pending = await s.request('/data/v2/accounts?async=true', { method: 'POST', token, json: { entity_id: entity.id } });
    // Real ids, so that valid requests also reach the answers past the 404s.
    known = {
      customer_id: customerId,
      entity_id: entity.id,
      account_id: accounts.body[0].account_id,
      refresh_id: entity.refresh_id,
      results_id: pending.body.results_id,
      app_user_id: appUserId,
      client_id: s.app.client_id,
      client_secret: s.app.client_secret,
    };
    const doc = await s.request('/openapi.json', { unchecked: true });
    operations = operationsOf(doc.body);
  });
  after(() => s.close());

  /** A request valid by the document; half the time with the fixtures' real ids. */
  async function validRequest(op: Operation, seed: number, useKnown: boolean): Promise<Request> {
    const request: Request = { path: {}, query: {}, headers: {} };
    let i = 0;
    for (const p of op.parameters) {
      i++;
      // Optional parameters half the time, as a fuzzer leaves them out.
      if (!p.required && (seed + i) % 2 === 0) continue;
      const value = useKnown && known[p.name] !== undefined ? known[p.name] : await generate(p.schema, { seed: seed + i });
      request[p.in === 'path' ? 'path' : p.in === 'query' ? 'query' : 'headers'][p.name] = asText(value);
    }
    // The body and the query may both name the entity; different ones are a 400 the document cannot express.
    if (request.headers.entity_id !== undefined && request.query.entity_id !== undefined) request.query.entity_id = request.headers.entity_id;
    if (op.body) {
      const body = (await generate(op.body.schema, { seed })) as Record<string, unknown>;
      if (body && typeof body === 'object' && !Array.isArray(body)) {
        if (useKnown) for (const key of Object.keys(body)) if (known[key] !== undefined) body[key] = known[key];
        // A sandbox entity of the high-volume profile is 10 000 transactions per account: not what this test is about.
        if (body.profile === 'high_volume') body.profile = 'thin';
        if (body.entity_id !== undefined && request.headers.entity_id !== undefined) body.entity_id = request.headers.entity_id;
      }
      request.body = body;
    }
    return request;
  }

  /** What turns a valid request into one the document forbids. */
  const mutation = fc.oneof(
    fc.record({ kind: fc.constant('unknown-query' as const), name: fc.string({ minLength: 1, maxLength: 20 }), value: fc.string() }),
    fc.record({ kind: fc.constant('replace-parameter' as const), index: fc.nat(), value: fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.integer().map(String), fc.constant('x'.repeat(3000))) }),
    fc.record({ kind: fc.constant('drop-parameter' as const), index: fc.nat() }),
    fc.record({ kind: fc.constant('replace-body' as const), value: fc.jsonValue() }),
    fc.record({ kind: fc.constant('body-text' as const), value: fc.string({ unit: 'binary' }) }),
    fc.record({ kind: fc.constant('body-field' as const), name: fc.string({ minLength: 1, maxLength: 20 }), value: fc.jsonValue() }),
  );
  type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

  function mutate(op: Operation, request: Request, m: Mutation): void {
    const place = (p: Parameter) => (p.in === 'path' ? request.path : p.in === 'query' ? request.query : request.headers);
    switch (m.kind) {
      case 'unknown-query':
        if (!op.parameters.some((p) => p.in === 'query' && p.name === m.name)) request.query[m.name] = m.value;
        return;
      case 'replace-parameter': {
        const p = op.parameters[m.index % Math.max(op.parameters.length, 1)];
        // A header value travels as text a client can send: percent-encoded.
        if (p) place(p)[p.name] = p.in === 'header' ? encodeURIComponent(m.value) : m.value;
        return;
      }
      case 'drop-parameter': {
        const p = op.parameters[m.index % Math.max(op.parameters.length, 1)];
        if (p && p.in !== 'path') delete place(p)[p.name];
        return;
      }
      case 'replace-body':
        if (op.body) request.body = m.value;
        return;
      case 'body-text':
        if (op.body) request.rawBody = m.value;
        return;
      case 'body-field':
        if (op.body) request.body = { ...(typeof request.body === 'object' && request.body !== null ? request.body : {}), [m.name]: m.value };
        return;
    }
  }

  async function send(op: Operation, request: Request): Promise<ApiResponse> {
    const path = op.path.replace(/\{([^}]+)\}/g, (_, name: string) => segment(request.path[name] ?? known[name] ?? 'x'));
    const query = new URLSearchParams(request.query).toString();
    let body: string | undefined;
    const headers = { ...request.headers };
    if (request.rawBody !== undefined) body = request.rawBody;
    else if (request.body !== undefined && op.body) {
      body =
        op.body.mediaType === 'application/x-www-form-urlencoded'
          ? new URLSearchParams(Object.entries(request.body as Record<string, unknown>).map(([k, v]): [string, string] => [k, asText(v)])).toString()
          : JSON.stringify(request.body);
    }
    if (body !== undefined && op.body) headers['content-type'] = op.body.mediaType;
    // Checked: a status the operation does not document, or a body off its schema, fails here.
    return s.request(`${path}${query ? `?${query}` : ''}`, { method: op.method, token, headers, ...(body !== undefined ? { body } : {}) });
  }

  /** Statuses answered per operation, to prove the fuzz reaches past validation. */
  const answered = new Map<string, Set<number>>();

  function check(op: Operation, res: ApiResponse, what: string): void {
    const seen = answered.get(`${op.method} ${op.path}`) ?? new Set<number>();
    answered.set(`${op.method} ${op.path}`, seen.add(res.status));
    assert.ok(res.status < 500, `${what} answered ${res.status}: ${res.text.slice(0, 300)}`);
    const requestId = res.headers.get('x-request-id');
    assert.ok(requestId, `${what}: no x-request-id`);
    if (res.status >= 400 && op.path !== '/oauth2/token') {
      assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/, `${what} → ${res.status} ${res.text.slice(0, 200)}`);
      assert.equal(res.body.request_id, requestId, what);
      assert.equal(res.body.status, res.status, what);
    }
    for (const [name, header] of Object.entries(op.responses[String(res.status)]?.headers ?? {})) {
      const value = res.headers.get(name);
      if (value !== null && header.schema?.type === 'integer') assert.match(value, /^\d+$/, `${what}: ${name} ${value}`);
    }
  }

  it('answers every operation, valid inputs and invalid ones, within its documented contract', async () => {
    assert.ok(operations.length >= 40, `only ${operations.length} operations in the document`);
    for (const op of operations) {
      const what = `${op.method} ${op.path}`;
      await fc.assert(
        fc.asyncProperty(fc.nat({ max: 1_000_000 }), fc.boolean(), async (seed, useKnown) => {
          const request = await validRequest(op, seed, useKnown);
          check(op, await send(op, request), `${what} (valid, seed ${seed})`);
        }),
        { numRuns: VALID_RUNS, seed: SEED },
      );
      await fc.assert(
        fc.asyncProperty(fc.nat({ max: 1_000_000 }), mutation, async (seed, m) => {
          const request = await validRequest(op, seed, true);
          mutate(op, request, m);
          check(op, await send(op, request), `${what} (${m.kind}, seed ${seed})`);
        }),
        { numRuns: INVALID_RUNS, seed: SEED },
      );
    }
    if (process.env.FUZZ_REPORT) for (const [op, statuses] of answered) console.log(op, [...statuses].sort().join(','));
    // Valid inputs reach past validation: most operations answered a success at least once.
    const succeeded = [...answered.values()].filter((statuses) => [...statuses].some((status) => status < 300)).length;
    assert.ok(succeeded >= operations.length * 0.9, `only ${succeeded} of ${operations.length} operations ever succeeded`);
  });
});
