import { randomUUID } from 'node:crypto';
import Type from 'typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Api } from '../api.ts';
import type { AppContext } from '../../context.ts';
import type { DataResource } from '../../domain/permissions.ts';
import { Nullable, StringEnum } from '../../domain/typebox.ts';
import { effectiveStatus } from '../../entities/effective-status.ts';
import { ApiError } from '../../errors/api-error.ts';
import { isTerminal } from '../../refresh/refresh-state.ts';
import { RESULTS_TTL_MS } from '../../refresh/settle-results.ts';
import { insertDataResult } from '../../store/data-results.ts';
import { getRefresh } from '../../store/refreshes.ts';
import type { EntityRow, RefreshRow } from '../../store/schema.ts';
import { recordEvent, resultsReadyEvent } from '../../webhooks/events.ts';
import { DEFAULT_PAGE_SIZE, KeysetPageParams, MAX_PAGE, MAX_PAGE_SIZE } from '../pagination.ts';
import { DataPending } from '../refreshes/refresh.schema.ts';
import { problemContent, problemResponses, ref } from '../responses.ts';
import {
  DATA_READ_RESPONSES,
  DataEntityHeader,
  dataReadHandler,
  EntityHeader,
  entityForRead,
  entityForReadOf,
  ETagHeader,
  pendingRefreshOf,
  pendingRetryAfter,
  type ReadInput,
  type Rendered,
  type RenderedPage,
} from './entity-access.ts';

/**
 * Lean's flags on every data read (docs.leantech.me, "Handling asynchronous requests" and the
 * Data API reference; docs/decisions/015). `entity_id` may come here instead of the header.
 */
export const LeanReadFlags = {
  entity_id: Type.Optional(Type.String({ format: 'uuid', description: 'The entity whose data to read, when not sent as the `entity_id` header (or, in the POST form, the body)' })),
  async: Type.Optional(
    Type.Boolean({ description: 'true: answer at once `PENDING` with a `results_id`; `results.ready` announces when `GET /data/v2/results/{results_id}` has the data' }),
  ),
  force_refresh: Type.Optional(
    Type.Boolean({ description: 'true: fetch from the bank first (starts a refresh, or joins the one running) and answer `PENDING` with a `results_id`, ready when the refresh ends' }),
  ),
  verbose: Type.Optional(Type.Boolean({ description: 'Accepted for compatibility with Lean; has no effect (the answer is always complete)' })),
};

/** `page`/`size` on the reads that serve a whole list: accepted, as Lean's examples send them, and without effect. */
const UnpagedParams = {
  page: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_PAGE, description: 'Accepted for compatibility with Lean; the whole list is served' })),
  size: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PAGE_SIZE, description: 'Accepted for compatibility with Lean; the whole list is served' })),
};

/** The query every read takes, whatever else it does: Lean's flags, and the paging its envelope reports. */
type ReadQuery = Type.Static<Type.TObject<typeof LeanReadFlags & typeof KeysetPageParams>>;

/** What `render` and `check` get of a read whose path parameters are `Params` and own query parameters `Query`: Lean's flags are added to those. */
type ReadInputOf<Params extends Type.TProperties, Query extends Type.TProperties> = ReadInput<Type.Static<Type.TObject<Params>>, Type.Static<Type.TObject<Query & typeof LeanReadFlags>>>;

/** What every data read says of itself, whatever its parameters. */
interface DataReadFields {
  /** Fastify path, e.g. `/data/v2/accounts/:account_id/balances`. */
  path: string;
  resource: DataResource;
  operationId: string;
  tags: string[];
  summary: string;
  description?: string;
  /** Pages by `page`/`size` (transactions): the envelope's `meta` then says where the page is. */
  paged?: boolean;
  dataDescription: string;
  headers200?: Record<string, unknown>;
}

/**
 * One data read as its route declares it: `render` and `check` get the path parameters and query
 * as `params` and `query` type them, and what `render` answers is checked against `data`.
 */
export interface DataReadOf<Params extends Type.TProperties, Query extends Type.TProperties, Data extends Type.TSchema> extends DataReadFields {
  params?: Type.TObject<Params>;
  /** The read's own query parameters (filters, paging); Lean's flags are added to them. */
  query?: Query;
  /** The 200 answer of the GET form; the envelope's `data` in the POST form. */
  data: Data;
  render(input: ReadInputOf<Params, Query>, entity: EntityRow): Promise<Rendered<Type.Static<Data>>>;
  /** Validates what the schema cannot; throws. */
  check?(input: ReadInputOf<Params, Query>): void;
}

/**
 * One data read, served in the seed's GET form and in Lean's POST form (and replayed by its
 * results, and by the MCP tools), its parameters' types forgotten: what it is given was validated
 * against its schemas, when the request came (a results fetch replays that input) or by the MCP
 * tool whose arguments are those schemas.
 */
export interface DataRead extends DataReadFields {
  params?: Type.TObject;
  query?: Type.TProperties;
  data: Type.TSchema;
  render(input: ReadInput<unknown, ReadQuery>, entity: EntityRow): Promise<Rendered>;
  check?(input: ReadInput<unknown, ReadQuery>): void;
}

/** The reads by operationId, for their results. */
export type DataReads = Map<string, DataRead>;

const StatusDetail = Nullable(
  Type.Object({
    code: Type.String({ description: 'A stable code: the problem code (`RESOURCE_NOT_AVAILABLE`, `DATA_NOT_AVAILABLE`) or the refresh\'s error code' }),
    detail: Type.String(),
    refresh_id: Nullable(Type.String({ format: 'uuid' })),
  }),
);

const Meta = Nullable(
  Type.Object({
    page: Type.Integer({ minimum: 0 }),
    size: Type.Integer({ minimum: 1 }),
    total: Type.Integer({ minimum: 0, description: 'Items matching the read, over all pages' }),
  }),
);

function envelope(data: Type.TSchema, description: string, options: { $id?: string } = {}) {
  return Type.Object(
    {
      status: StringEnum(['OK', 'PENDING', 'FAILED'], {
        description: 'OK: `data` holds the answer. PENDING: wait for `results.ready` (or `Retry-After`), then `GET /data/v2/results/{results_id}`. FAILED: nothing could be fetched (`status_detail` says why)',
      }),
      results_id: Nullable(Type.String({ format: 'uuid', description: 'Where the answer will be (`GET /data/v2/results/{results_id}`); null when answered at once' })),
      message: Type.String(),
      timestamp: Type.String({ format: 'date-time' }),
      status_detail: StatusDetail,
      meta: Meta,
      data: Nullable(data),
    },
    { description, ...options },
  );
}

/** Lean's envelope without data: PENDING or FAILED. */
export const LeanNoData = envelope(Type.Null(), 'Lean\'s envelope, without data (PENDING or FAILED)', { $id: 'LeanNoData' });

interface EnvelopeFields {
  status: 'OK' | 'PENDING' | 'FAILED';
  results_id?: string | null;
  message: string;
  status_detail?: { code: string; detail: string; refresh_id: string | null } | null;
  meta?: { page: number; size: number; total: number } | null;
  data?: unknown;
}

function body(fields: EnvelopeFields, now: Date): Type.Static<ReturnType<typeof envelope>> {
  return {
    status: fields.status,
    results_id: fields.results_id ?? null,
    message: fields.message,
    timestamp: now.toISOString(),
    status_detail: fields.status_detail ?? null,
    meta: fields.meta ?? null,
    data: fields.data ?? null,
  };
}

const NOT_FETCHED = new Set(['RESOURCE_NOT_AVAILABLE', 'DATA_NOT_AVAILABLE']);

/** Lean's FAILED envelope for a read whose data was never fetched, with the problem's code kept for the audit trail. */
function sendFailed(ctx: AppContext, reply: FastifyReply, err: ApiError, resultsId: string | null): FastifyReply {
  reply.request.problemCode = err.code;
  return reply.code(err.status).send(body({ status: 'FAILED', results_id: resultsId, message: err.message, status_detail: { code: err.code, detail: err.message, refresh_id: null } }, ctx.now()));
}

/**
 * The answer to a read in Lean's envelope: OK with the data, or FAILED (HTTP 409, as the GET form's
 * problem) when the data was never fetched. Other errors stay problems.
 */
async function sendReady(ctx: AppContext, reply: FastifyReply, read: DataRead, input: ReadInput<unknown, ReadQuery>, entity: EntityRow, resultsId: string | null): Promise<FastifyReply> {
  try {
    // Results of a refresh that failed, while another one now runs for an entity with no data yet.
    if (entity.synced_at === null && resultsId) return sendPendingEnvelope(ctx, reply, resultsId, await pendingRefreshOf(ctx, entity));
    const rendered = await read.render(input, entity);
    const q = input.query;
    const meta = read.paged && rendered.page ? { page: q.page ?? 0, size: q.size ?? DEFAULT_PAGE_SIZE, total: rendered.page.total } : null;
    return reply.headers(rendered.headers ?? {}).send(body({ status: 'OK', results_id: resultsId, message: 'Data successfully retrieved', meta, data: rendered.body }, ctx.now()));
  } catch (err) {
    if (!(err instanceof ApiError) || !NOT_FETCHED.has(err.code)) throw err;
    return sendFailed(ctx, reply, err, resultsId);
  }
}

function sendPendingEnvelope(ctx: AppContext, reply: FastifyReply, resultsId: string, refresh: RefreshRow | undefined): FastifyReply {
  const retryAfter = refresh ? pendingRetryAfter(refresh, ctx.now()) : 1;
  return reply
    .code(202)
    .header('retry-after', String(retryAfter))
    .send(
      body(
        {
          status: 'PENDING',
          results_id: resultsId,
          message: 'Please wait for a webhook or try again later.',
          status_detail: refresh ? { code: 'REFRESH_' + refresh.status, detail: `Waiting for refresh ${refresh.id}`, refresh_id: refresh.id } : null,
        },
        ctx.now(),
      ),
    );
}

/** The read's filters as its results replay them: Lean's flags, paging and cursors are the fetch's own. */
function replayedQuery(query: ReadQuery): Record<string, unknown> {
  const { entity_id: _e, async: _a, force_refresh: _f, verbose: _v, page: _p, size: _s, cursor: _c, ...filters } = query;
  return filters;
}

/**
 * Records a read to answer later. Waiting for nothing (or for a refresh that already ended), it is
 * ready at once and `results.ready` is recorded with it; else the end of the refresh readies it
 * (src/refresh/settle-results.ts).
 */
async function createResults(ctx: AppContext, read: DataRead, input: ReadInput<unknown, ReadQuery>, entity: EntityRow, refresh: RefreshRow | undefined): Promise<string> {
  const id = randomUUID();
  const now = ctx.now();
  await ctx.store.db.transaction().execute(async (trx) => {
    const current = refresh && (await getRefresh(trx, refresh.id));
    const waits = current !== undefined && !isTerminal(current.status);
    await insertDataResult(trx, {
      id,
      app_id: entity.app_id,
      entity_id: entity.id,
      operation: read.operationId,
      params: (input.params ?? {}) as Record<string, unknown>,
      query: replayedQuery(input.query),
      refresh_id: refresh?.id ?? null,
      status: waits ? 'PENDING' : 'READY',
      created_at: now.toISOString(),
      ready_at: waits ? null : now.toISOString(),
      expires_at: new Date(now.getTime() + RESULTS_TTL_MS).toISOString(),
    });
    if (!waits) await recordEvent(trx, ctx.jobs, resultsReadyEvent(entity, id), now);
  });
  return id;
}

/**
 * Lean's asynchronous machinery, for a read that asked for it or cannot be answered yet:
 * `force_refresh` starts or joins a refresh and the read waits for it; before the entity's first
 * refresh ended the read waits for that one (Lean's sync-to-async fallback); `async` answers
 * PENDING even when the data is there. Null when the read can be answered now.
 */
async function pendingAnswer(ctx: AppContext, reply: FastifyReply, read: DataRead, input: ReadInput<unknown, ReadQuery>, entity: EntityRow): Promise<FastifyReply | null> {
  const q = input.query;
  let waitFor: RefreshRow | undefined;
  if (q.force_refresh) {
    if (effectiveStatus(entity, ctx.now()) === 'RECONNECT_REQUIRED') {
      throw new ApiError('RECONNECT_REQUIRED', `The bank no longer honours the consent of entity ${entity.id}; the user must reconnect it before a refresh`, { param: 'force_refresh' });
    }
    waitFor = (await ctx.refreshes.request(entity, 'MANUAL')).refresh;
  } else if (entity.synced_at === null) {
    // Throws DATA_NOT_AVAILABLE when the first refresh failed: the caller answers FAILED.
    waitFor = await pendingRefreshOf(ctx, entity);
  }
  if (!waitFor && !q.async) return null;
  const resultsId = await createResults(ctx, read, input, entity, waitFor);
  return sendPendingEnvelope(ctx, reply, resultsId, waitFor && !isTerminal(waitFor.status) ? waitFor : undefined);
}

async function answerInEnvelope(ctx: AppContext, request: FastifyRequest & ReadInput<unknown, ReadQuery>, reply: FastifyReply, read: DataRead): Promise<FastifyReply> {
  read.check?.(request);
  const entity = await entityForRead(ctx, request, read.resource);
  try {
    const pending = await pendingAnswer(ctx, reply, read, request, entity);
    if (pending) return pending;
  } catch (err) {
    if (!(err instanceof ApiError) || !NOT_FETCHED.has(err.code)) throw err;
    return sendFailed(ctx, reply, err, null);
  }
  // Page by number in the envelope (Lean's `page`, from 0), never by the GET form's keyset cursor.
  const q = request.query;
  const input: ReadInput<unknown, ReadQuery> = read.paged && q.cursor === undefined ? { params: request.params, query: { ...q, page: q.page ?? 0 }, url: request.url } : request;
  return sendReady(ctx, reply, read, input, entity, null);
}

/** Replays the read `resultsId` stands for, paged by the fetch's own `page`/`size`. */
export function answerResults(ctx: AppContext, reply: FastifyReply, read: DataRead, input: ReadInput<unknown, ReadQuery>, entity: EntityRow, resultsId: string): Promise<FastifyReply> {
  return sendReady(ctx, reply, read, input, entity, resultsId);
}

export { sendPendingEnvelope };

/** What a data read gives a caller outside HTTP: the rendered answer, or the refresh the entity's first data waits for. */
export type ReadOutcome = { status: 'OK'; body: unknown; headers: Record<string, string>; page: RenderedPage | null } | { status: 'PENDING'; refresh: RefreshRow };

/**
 * The seed's GET form of `read` for application `appId` and entity `entityId`, without HTTP (the
 * MCP tools, src/mcp): the same checks in the same order as `dataReadHandler` (the read's own
 * check, then tenancy, consent and permission), then PENDING before the first refresh ended
 * (throws `DATA_NOT_AVAILABLE` when it failed), else the rendering. Throws `ApiError`.
 */
export async function performRead(ctx: AppContext, appId: string, entityId: string, read: DataRead, input: ReadInput<unknown, ReadQuery>): Promise<ReadOutcome> {
  read.check?.(input);
  const entity = await entityForReadOf(ctx, appId, entityId, read.resource);
  if (entity.synced_at === null) return { status: 'PENDING', refresh: await pendingRefreshOf(ctx, entity) };
  const rendered = await read.render(input, entity);
  return { status: 'OK', body: rendered.body, headers: rendered.headers ?? {}, page: rendered.page ?? null };
}

const LeanBody = Type.Object(
  { entity_id: Type.Optional(Type.String({ format: 'uuid', description: 'The entity whose data to read (Lean\'s POST form)' })) },
  { additionalProperties: false },
);

/**
 * Registers a data read in both forms. GET is the seed's (a plain answer; 202 `DataPending` while
 * the first refresh runs), unless it asks for Lean's `async` or `force_refresh`, which answer in
 * Lean's envelope. POST is Lean's: the same read, always in the envelope, `entity_id` in the body
 * if not in the header or query.
 */
export function registerDataRead<Params extends Type.TProperties = {}, Query extends Type.TProperties = typeof UnpagedParams, Data extends Type.TSchema = Type.TSchema>(
  app: Api,
  ctx: AppContext,
  reads: DataReads,
  read: DataReadOf<Params, Query, Data>,
): void;
export function registerDataRead(app: Api, ctx: AppContext, reads: DataReads, read: DataRead): void {
  reads.set(read.operationId, read);
  const querystring = Type.Object({ ...(read.query ?? UnpagedParams), ...LeanReadFlags }, { additionalProperties: false });
  const common = {
    headers: DataEntityHeader,
    querystring,
    ...(read.params ? { params: read.params } : {}),
  };
  const pendingEnvelope = { 'application/json': { schema: ref(LeanNoData) } };

  const seed = dataReadHandler(ctx, read.resource, read.render, read.check);
  app.get(
    read.path,
    {
      // The seed documents the header as required; a seed-generated client sends it (decision 015).
      config: { auth: 'api', publishedHeaders: EntityHeader, audit: { resource: read.resource } },
      schema: {
        operationId: read.operationId,
        tags: read.tags,
        summary: read.summary,
        description: `${read.description ? `${read.description} ` : ''}The entity may be named by the query parameter \`entity_id\` instead of the header, as Lean's guides do.`,
        ...common,
        response: {
          200: { description: read.dataDescription, headers: { ...ETagHeader, ...read.headers200 }, content: { 'application/json': { schema: read.data } } },
          ...DATA_READ_RESPONSES,
          202: {
            description:
              'The entity\'s first refresh has not finished yet (`DataPending`; retry after `Retry-After` seconds); or, with `async` or `force_refresh`, Lean\'s PENDING envelope with the `results_id`',
            headers: { 'retry-after': { type: 'integer' } },
            content: { 'application/json': { schema: Type.Union([ref(DataPending), ref(LeanNoData)]) } },
          },
          409: {
            description: 'Conflicts with the current state; with `async` or `force_refresh`, Lean\'s FAILED envelope when no data was ever fetched',
            content: { ...problemContent(), ...pendingEnvelope },
          },
        },
      },
    },
    (request, reply) => {
      const q = request.query;
      if (q.async || q.force_refresh) return answerInEnvelope(ctx, request, reply, read);
      return seed(request, reply);
    },
  );

  app.post(
    read.path,
    {
      config: { auth: 'api', leanForm: true, audit: { resource: read.resource } },
      schema: {
        operationId: `${read.operationId}Lean`,
        tags: read.tags,
        summary: `${read.summary} (Lean's POST form)`,
        description:
          'The same read in the form Lean\'s guides show: `entity_id` in the JSON body (or the header, or the query), ' +
          'the answer in Lean\'s envelope (`status`, `results_id`, `message`, `timestamp`, `status_detail`, `meta`, `data`). ' +
          'A read that cannot be answered yet (the first refresh still runs, `force_refresh`, `async`) answers 202 PENDING with a ' +
          '`results_id`; `results.ready` announces its `GET /data/v2/results/{results_id}`.',
        ...common,
        body: LeanBody,
        response: {
          200: { description: read.dataDescription, content: { 'application/json': { schema: envelope(read.data, `Lean's envelope: ${read.dataDescription}`) } } },
          202: { description: 'PENDING: wait for `results.ready` or `Retry-After` seconds', headers: { 'retry-after': { type: 'integer' } }, content: pendingEnvelope },
          409: {
            description: 'FAILED: the data was never fetched (the first refresh, or this resource\'s fetch, failed); or a conflict (problem)',
            content: { ...problemContent(), ...pendingEnvelope },
          },
          ...problemResponses(400, 401, 403, 404, 429),
        },
      },
    },
    async (request, reply) => answerInEnvelope(ctx, request, reply, read),
  );
}
