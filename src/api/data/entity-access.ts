import Type from 'typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../context.ts';
import { PERMISSION_FOR, type DataResource } from '../../domain/permissions.ts';
import { ApiError, notFound } from '../../errors/api-error.ts';
import { accountExists } from '../../store/bank-data-reads.ts';
import { readEntity } from '../../store/entities.ts';
import type { EntityRow, RefreshRow } from '../../store/schema.ts';
import { effectiveStatus } from '../../entities/effective-status.ts';
import { noBody, problemResponses, ref } from '../responses.ts';
import { latestFinishedRefresh, latestRefresh } from '../../store/refreshes.ts';
import { DataPending } from '../refreshes/refresh.schema.ts';
import { cachedResponse, JSON_UTF8, ResponseCache, type CachedResponse } from './response-cache.ts';

/** The seed's `entity_id` header; other headers are allowed. */
export const EntityHeader = Type.Object({
  entity_id: Type.String({ format: 'uuid', description: 'The entity whose data to read' }),
});

/**
 * The data reads' `entity_id` header: optional there, since Lean's guides send it in the query
 * (`?entity_id=`) or the JSON body instead (`entityIdOf`).
 */
export const DataEntityHeader = Type.Object({
  entity_id: Type.Optional(Type.String({ format: 'uuid', description: 'The entity whose data to read; or give it as the query parameter (or, in the POST form, body field) `entity_id`' })),
});

/** The `entity_id` member of a query or body, of whichever route (each declares it, or not, in its own schema). */
const entityIdIn = (part: unknown) => (typeof part === 'object' && part !== null && 'entity_id' in part ? part.entity_id : undefined);

/** Where a request can name its entity, as the 400 for two different ones names them. */
const ENTITY_PLACES = [
  ['header "entity_id"', (r: FastifyRequest) => r.headers.entity_id],
  ['query parameter "entity_id"', (r: FastifyRequest) => entityIdIn(r.query)],
  ['body field "entity_id"', (r: FastifyRequest) => entityIdIn(r.body)],
] as const;

/**
 * The entity id a request names: in the `entity_id` header (the seed), the query string or the
 * JSON body (Lean's guides). The same id in several places is fine; two different ones are a 400
 * naming both places, and none is the seed's 400 for the missing header.
 */
export function entityIdOf(request: FastifyRequest): string {
  let found: { where: string; id: string } | undefined;
  for (const [where, read] of ENTITY_PLACES) {
    const id = read(request);
    if (typeof id !== 'string') continue;
    if (!found) found = { where, id };
    else if (found.id.toLowerCase() !== id.toLowerCase()) {
      throw new ApiError('INVALID_PARAMETER', `The ${found.where} (${found.id}) and the ${where} (${id}) name different entities; name one`, { param: 'entity_id' });
    }
  }
  if (!found) throw new ApiError('INVALID_PARAMETER', 'The header "entity_id" is required', { param: 'entity_id' });
  return found.id;
}

export const AccountParams = Type.Object({
  account_id: Type.String({ minLength: 1, maxLength: 64, description: 'An `account_id` from `GET /data/v2/accounts`' }),
});

export const ETagHeader = { etag: { type: 'string', description: 'Changes whenever the entity\'s stored data changes' } };

/** The statuses every data read can answer with besides 200, for the OpenAPI document. */
export const DATA_READ_RESPONSES = {
  202: {
    description: 'The entity\'s first refresh has not finished yet; retry after `Retry-After` seconds (until the refresh\'s next attempt when it waits for one)',
    headers: { 'retry-after': { type: 'integer' } },
    content: { 'application/json': { schema: ref(DataPending) } },
  },
  304: noBody({ description: 'Not modified: the `If-None-Match` ETag is current', headers: ETagHeader }),
  ...problemResponses(400, 401, 403, 404, 409),
};

/**
 * The entity a data read is about, once the caller may read `resource` from it: it exists and
 * belongs to the caller's application (else 404), its consent is neither expired nor revoked, and
 * the consent grants the resource's permission (else 403). An entity that needs reconnecting still
 * serves the data last fetched, as an expired card still shows its statements.
 */
export async function entityForRead(ctx: AppContext, request: FastifyRequest, resource: DataResource): Promise<EntityRow> {
  const entity = await entityOfRequest(ctx, request);
  assertReadable(ctx, entity, resource);
  return entity;
}

function assertReadable(ctx: AppContext, entity: EntityRow, resource: DataResource): void {
  assertConsentLive(entity, ctx.now());
  const permission = PERMISSION_FOR[resource];
  if (!entity.permissions.includes(permission)) {
    throw new ApiError('PERMISSION_NOT_GRANTED', `The consent of entity ${entity.id} does not grant the "${permission}" permission`);
  }
}

/** The entity the request names (`entityIdOf`), if it is the caller application's; else 404. */
export async function entityOfRequest(ctx: AppContext, request: FastifyRequest): Promise<EntityRow> {
  const entity = await entityOf(ctx, request.principal.appId, entityIdOf(request));
  request.auditEntity = entity.id;
  return entity;
}

/** Entity `entityId` if it is application `appId`'s; else 404, as for one that does not exist. */
export async function entityOf(ctx: AppContext, appId: string, entityId: string): Promise<EntityRow> {
  const entity = await readEntity(ctx.store, appId, entityId);
  if (!entity) throw notFound('Entity', entityId);
  return entity;
}

/** `entityForRead` for an entity named by id (a results fetch, an MCP tool): application `appId`'s, readable for `resource`. */
export async function entityForReadOf(ctx: AppContext, appId: string, entityId: string, resource: DataResource): Promise<EntityRow> {
  const entity = await entityOf(ctx, appId, entityId);
  assertReadable(ctx, entity, resource);
  return entity;
}

/** 403 when the entity's consent expired or was revoked. */
export function assertConsentLive(entity: EntityRow, now: Date): void {
  const status = effectiveStatus(entity, now);
  if (status === 'EXPIRED') {
    throw new ApiError('CONSENT_EXPIRED', `The consent of entity ${entity.id} expired at ${entity.consent_expires_at}; reconnect it to read new data`);
  }
  if (status === 'REVOKED') throw new ApiError('CONSENT_REVOKED', `The consent of entity ${entity.id} was revoked and its data deleted`);
}

/** 404 unless the account is one of the entity's. */
export async function requireAccount(ctx: AppContext, entity: EntityRow, accountId: string): Promise<void> {
  if (!(await accountExists(ctx.store, entity.id, accountId))) throw notFound('Account', accountId);
}

/** Whether `If-None-Match` names `etag` (or is `*`); weak comparison (RFC 9110 §13.1.2). */
export function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((candidate) => candidate.trim().replace(/^W\//, '') === etag);
}

/**
 * What a read's rendering looks at: the request's path parameters, query and URL (a Fastify
 * request is one; a results fetch replays a stored read with its own).
 */
export interface ReadInput<Params = unknown, Query = unknown> {
  params: Params;
  query: Query;
  url: string;
}

export interface Rendered<Body = unknown> {
  body: Body;
  /** `JSON.stringify(body)`, when the rendering has it already (`renderedJson`). */
  json?: string;
  headers?: Record<string, string>;
  /**
   * A paged read's place in its list: the rows over all pages, and the query parameters that
   * continue it (null on the last page). Its `headers` say the same (`x-total-count`, `Link`);
   * callers other than HTTP (the envelope's `meta`, the MCP tools) read it from here.
   */
  page?: RenderedPage;
}

/**
 * A rendering whose body is the JSON text `json` already (stored with the data: a transactions
 * page's rows, an account list's payloads, a resource set), sent as it is; `body` decodes it only
 * for callers that want the objects (the envelope, MCP), each time it is read.
 */
export function renderedJson<Body>(json: string, rest: Omit<Rendered<Body>, 'body' | 'json'> = {}): Rendered<Body> {
  return {
    ...rest,
    json,
    get body(): Body {
      return JSON.parse(json) as Body;
    },
  };
}

export interface RenderedPage {
  total: number;
  next: Record<string, string> | null;
}

/**
 * Answers a data read of `resource` from the response cache, rendering it on a miss. Only a
 * rendered or cached answer is known to exist (the account may not), so a 304 comes after that,
 * never before.
 */
export async function sendData(
  ctx: AppContext,
  request: FastifyRequest,
  reply: FastifyReply,
  entity: EntityRow,
  resource: DataResource,
  render: () => Promise<Rendered>,
): Promise<FastifyReply> {
  if (entity.synced_at === null) return sendPending(ctx, reply, entity);
  const key = ResponseCache.key(entity.id, entity.data_version, request.url);
  let cached: CachedResponse | undefined = ctx.responses.get(key);
  if (!cached) {
    const rendered = await render();
    cached = cachedResponse(ctx.responses.body(rendered.json ?? JSON.stringify(rendered.body)), rendered.headers ?? {}, etagOf(entity), {
      resource,
      operation: request.routeOptions.schema?.operationId ?? null,
      accountId: accountIdOf(request.params),
    });
    ctx.responses.set(key, cached);
  }
  return sendCached(request, reply, cached);
}

/** The `ETag` of an entity's stored data: it changes with every write of that data (its `data_version`). */
export const etagOf = (entity: Pick<EntityRow, 'id' | 'data_version'>) => `"${entity.id}.${entity.data_version}"`;

function sendCached(request: FastifyRequest, reply: FastifyReply, cached: CachedResponse): FastifyReply {
  reply.header('etag', cached.etag);
  if (etagMatches(request.headers['if-none-match'], cached.etag)) return reply.code(304).send();
  return reply.headers(cached.headers).type(JSON_UTF8).send(cached.body);
}

/** The longest `account_id` the data routes accept. */
const MAX_ACCOUNT_ID = 64;

/** A request's `account_id` path parameter, if it has one the data routes accept; else null. */
export function accountIdOf(params: unknown): string | null {
  const id = typeof params === 'object' && params !== null && 'account_id' in params ? params.account_id : undefined;
  return typeof id === 'string' && id.length <= MAX_ACCOUNT_ID ? id : null;
}

/**
 * The handler of a data read. `check` validates what the schema cannot (it runs first, and
 * throws); `render` builds the body on a cache miss. A read whose entity row and finished
 * response are both cached is answered without a single promise: that is most reads, and at the
 * throughput a bare server manages, every microtask shows (docs/decisions/003).
 */
export function dataReadHandler<Input extends ReadInput>(
  ctx: AppContext,
  resource: DataResource,
  render: (input: Input, entity: EntityRow) => Promise<Rendered>,
  check?: (input: Input) => void,
): (request: FastifyRequest & Input, reply: FastifyReply) => FastifyReply | Promise<FastifyReply> {
  const slow = async (request: FastifyRequest & Input, reply: FastifyReply) => {
    const entity = await entityForRead(ctx, request, resource);
    return sendData(ctx, request, reply, entity, resource, () => render(request, entity));
  };
  return (request, reply) => {
    check?.(request);
    const entity = ctx.store.entities.get(entityIdOf(request));
    if (entity && entity.app_id === request.principal.appId && entity.synced_at !== null) {
      request.auditEntity = entity.id;
      assertReadable(ctx, entity, resource);
      const cached = ctx.responses.get(ResponseCache.key(entity.id, entity.data_version, request.url));
      if (cached) return sendCached(request, reply, cached);
    }
    return slow(request, reply);
  };
}

/** How soon a client polling a running first refresh asks again, when the refresh is not waiting for a set time. */
const PENDING_RETRY_SECONDS = 2;

/**
 * `Retry-After` (seconds) for a read waiting on `refresh`: until its next attempt when it waits
 * for one (a bank's quota may make that hours), else a short poll.
 */
export function pendingRetryAfter(refresh: Pick<RefreshRow, 'next_attempt_at'>, now: Date): number {
  if (refresh.next_attempt_at === null) return PENDING_RETRY_SECONDS;
  return Math.max(PENDING_RETRY_SECONDS, Math.ceil((Date.parse(refresh.next_attempt_at) - now.getTime()) / 1000));
}

/**
 * For a read that found nothing stored of `resource`: 409 `RESOURCE_NOT_AVAILABLE`, naming the
 * refresh, when the entity's newest finished refresh could not fetch the resource (FAILED, or
 * PARTIAL because some accounts' answers were malformed); an empty list would say the bank has
 * none. Otherwise the bank has none, and the read says so (docs/decisions/013).
 */
export async function assertResourceFetched(ctx: AppContext, entity: EntityRow, resource: DataResource): Promise<void> {
  const refresh = await latestFinishedRefresh(ctx.store.db, entity.id);
  const progress = refresh ? refresh.resources.find((p) => p.resource === resource) : undefined;
  if (!refresh || !progress?.error) return;
  throw new ApiError(
    'RESOURCE_NOT_AVAILABLE',
    `No ${resource} of entity ${entity.id} is stored: refresh ${refresh.id} could not fetch them (${progress.error.code}: ${progress.error.detail}). Start a refresh with POST /data/v2/refreshes`,
  );
}

/**
 * Before the first refresh finished there is no data to show, and an empty list would be a lie:
 * answer 202 with the refresh to wait for, or, when that refresh failed, say so.
 */
export async function sendPending(ctx: AppContext, reply: FastifyReply, entity: EntityRow): Promise<FastifyReply> {
  const refresh = await pendingRefreshOf(ctx, entity);
  const pending: DataPending = { status: 'PENDING', refresh_id: refresh.id };
  return reply.code(202).header('retry-after', String(pendingRetryAfter(refresh, ctx.now()))).send(pending);
}

/**
 * The refresh an entity without data waits for (its newest); 409 `DATA_NOT_AVAILABLE` when there
 * is none or it failed.
 */
export async function pendingRefreshOf(ctx: AppContext, entity: EntityRow): Promise<RefreshRow> {
  const refresh = await latestRefresh(ctx.store.db, entity.id);
  if (!refresh || refresh.status === 'FAILED') {
    const why = refresh ? `its first refresh ${refresh.id} failed (${refresh.error_code}: ${refresh.error_detail})` : 'it has never been refreshed';
    throw new ApiError('DATA_NOT_AVAILABLE', `Entity ${entity.id} has no data: ${why}. Start a refresh with POST /data/v2/refreshes`);
  }
  return refresh;
}
