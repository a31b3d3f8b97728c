import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { dataReadEvent } from '../../audit/recorder.ts';
import type { Principal } from '../../auth/tokens.ts';
import type { AppContext } from '../../context.ts';
import { PERMISSION_FOR } from '../../domain/permissions.ts';
import { effectiveStatusAt } from '../../entities/effective-status.ts';
import type { EntityRow } from '../../store/schema.ts';
import { rateLimitHeaders } from '../auth-guard.ts';
import { requestIdOf } from '../request-id.ts';
import { coldPageLater, coldPageNow, coldPageRead, type ColdPageRead } from './cold-page.ts';
import { etagMatches } from './entity-access.ts';
import { ResponseCache, type CachedResponse } from './response-cache.ts';

/**
 * The cached fast path of data reads (issue 12, docs/decisions/003). Most reads ask again for an
 * answer already rendered: their token was verified before, their entity row is cached and the
 * finished body is in the response cache. Such a read is answered here, before Fastify routes it,
 * with the same checks as the general path (token, scope, tenancy, consent, permission, rate
 * limit), the same headers in the same order, the same body and the same audit record;
 * test/api/read-fast-path.test.ts compares the two byte for byte. A transactions page not in the
 * cache is built here too, from its account's chunks (src/api/data/cold-page.ts); on a store that
 * reads asynchronously (PostgreSQL), after they are read. Whatever this path is unsure
 * of, it leaves alone, before it has changed anything: the general path then answers it, errors
 * included.
 */
export interface CachedReads {
  /**
   * Answers `req` when it can. True: it took the request, and has answered it or will (a first
   * read of a transactions page on PostgreSQL awaits its chunks, and hands the request to
   * `fallback` when they cannot answer or anything changed meanwhile). False: route it through
   * Fastify.
   */
  serve(req: IncomingMessage, res: ServerResponse, fallback: (req: IncomingMessage, res: ServerResponse) => void): boolean;
  /** Reads this path answered since the server started (tests prove it was taken). */
  readonly served: number;
  /** Answers nothing from now on: while the server closes, Fastify answers (503) and drains. */
  stop(): void;
}

/** The prefix of every data read's path. */
const DATA_PATHS = '/data/v2/';
/** The scheme of `Authorization` (RFC 6750 §2.1), case-insensitive as the general path's. */
const BEARER_SCHEME = /^Bearer /i;

/**
 * The verified principal of `Authorization: Bearer <token>`, if its token is in the verified-token
 * cache and unexpired. Only an exact, verified token is found there, so this needs neither the
 * general path's syntax check nor `lean-app-token` (which that path accepts, and this leaves to it).
 */
function cachedPrincipal(ctx: AppContext, authorization: string | undefined): Principal | undefined {
  if (authorization === undefined || !BEARER_SCHEME.test(authorization)) return undefined;
  return ctx.tokens.verifyCached(authorization.slice(7));
}

/**
 * The entity id the request names: its `entity_id` header, else a single `entity_id` of its query.
 * A different id in the other place needs no check here: only a read the general path answered is
 * in the response cache, under the URL it had, and that path refuses two different ids.
 */
function namedEntityId(headers: IncomingHttpHeaders, url: string): string | undefined {
  const header = headers.entity_id;
  if (typeof header === 'string') return header;
  const q = url.indexOf('?');
  if (q < 0) return undefined;
  const ids = new URLSearchParams(url.slice(q + 1)).getAll('entity_id');
  return ids.length === 1 ? ids[0] : undefined;
}

/**
 * The fast path of `ctx`'s process. It stays off when `debug` logging is on, since the general
 * path writes a line per read then.
 */
export function createCachedReads(ctx: AppContext): CachedReads {
  let on = !ctx.log.isLevelEnabled('debug');
  let served = 0;

  /** The entity `entityId`, if `principal` may read its data now: its application's, fetched, its consent in force. */
  function readableEntity(principal: Principal, entityId: string): EntityRow | undefined {
    const entity = ctx.store.entities.get(entityId);
    if (entity === undefined || entity.app_id !== principal.appId || entity.synced_at === null) return undefined;
    const status = effectiveStatusAt(entity, ctx.nowMs());
    return status === 'EXPIRED' || status === 'REVOKED' ? undefined : entity;
  }

  /** Sends `cached` as the answer to `req`, counted, audited; false (nothing sent) when the general path must answer. */
  function respond(req: IncomingMessage, res: ServerResponse, principal: Principal, entity: EntityRow, cached: CachedResponse): boolean {
    if (!entity.permissions.includes(PERMISSION_FOR[cached.read.resource])) return false;
    const headers = req.headers;
    let limits: ReturnType<typeof rateLimitHeaders> | null = null;
    if (ctx.rateLimits) {
      const decision = ctx.rateLimits.hit(principal.appId);
      // A refused request is not counted: the general path counts it again, and answers the 429.
      if (!decision.allowed) return false;
      limits = rateLimitHeaders(decision);
    }
    const requestId = requestIdOf(headers);
    // In the general path's order: the request id (onRequest), the rate limit (the auth guard), then the handler's.
    const out = limits === null
      ? ['x-request-id', requestId]
      : ['x-request-id', requestId, 'ratelimit-limit', limits['ratelimit-limit'], 'ratelimit-remaining', limits['ratelimit-remaining'], 'ratelimit-reset', limits['ratelimit-reset']];
    const notModified = etagMatches(headers['if-none-match'], cached.etag);
    if (notModified) {
      out.push('etag', cached.etag);
      res.writeHead(304, out);
      res.end();
    } else {
      res.writeHead(200, out.concat(cached.tail));
      res.end(cached.body);
    }
    served++;
    if (ctx.audit.enabled) {
      ctx.audit.record(
        dataReadEvent({
          appId: principal.appId,
          subject: principal.clientId,
          requestId,
          entityId: entity.id,
          operation: cached.read.operation,
          resource: cached.read.resource,
          accountId: cached.read.accountId,
          status: notModified ? 304 : 200,
          errorCode: null,
        }),
      );
    }
    return true;
  }

  /**
   * Answers a first read of a transactions page from its chunks read asynchronously (PostgreSQL),
   * or hands it to `fallback`: when the chunks cannot answer, the path was stopped, or the entity
   * changed while they were read (a refresh landed, the consent ended), as the general path then
   * answers otherwise.
   */
  async function respondLater(req: IncomingMessage, res: ServerResponse, fallback: (req: IncomingMessage, res: ServerResponse) => void, principal: Principal, entity: EntityRow, read: ColdPageRead, key: string) {
    try {
      const page = await coldPageLater(ctx, entity, req.url!, read);
      const now = readableEntity(principal, entity.id);
      if (page === undefined || !on || now?.data_version !== entity.data_version) return fallback(req, res);
      ctx.responses.set(key, page);
      if (!respond(req, res, principal, now, page)) fallback(req, res);
    } catch (err) {
      ctx.log.error({ err }, 'the cached read path failed');
      if (res.headersSent) res.destroy();
      else fallback(req, res);
    }
  }

  return {
    get served() {
      return served;
    },
    stop() {
      on = false;
    },
    serve(req, res, fallback) {
      const url = req.url;
      if (!on || req.method !== 'GET' || url === undefined || !url.startsWith(DATA_PATHS)) return false;
      const headers = req.headers;
      // A GET with a body is the general path's to refuse or ignore.
      if (headers['content-length'] !== undefined || headers['transfer-encoding'] !== undefined) return false;
      const principal = cachedPrincipal(ctx, headers.authorization);
      if (principal === undefined || principal.scope.kind !== 'api') return false;
      const entityId = namedEntityId(headers, url);
      if (entityId === undefined) return false;
      const entity = readableEntity(principal, entityId);
      if (entity === undefined) return false;
      const key = ResponseCache.key(entity.id, entity.data_version, url);
      const cached = ctx.responses.get(key);
      if (cached !== undefined) return respond(req, res, principal, entity, cached);
      // A first read of a transactions page, when the account's chunks answer it (decision 024).
      const read = coldPageRead(entity, url);
      if (read === undefined) return false;
      if (ctx.store.queryNow === undefined) {
        void respondLater(req, res, fallback, principal, entity, read, key);
        return true;
      }
      const page = coldPageNow(ctx, entity, url, read);
      if (page === undefined) return false;
      ctx.responses.set(key, page);
      return respond(req, res, principal, entity, page);
    },
  };
}
