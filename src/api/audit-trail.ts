import type { FastifyInstance, FastifyRequest, onResponseHookHandler } from 'fastify';
import { dataReadEvent, type AuditEventInput } from '../audit/recorder.ts';
import type { AppContext } from '../context.ts';
import { accountIdOf, entityIdOf } from './data/entity-access.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * The route reads bank data: every answered request is recorded in the audit trail as a read
     * of `resource` (docs/decisions/017), about the entity the request names. Null: the handler
     * names the resource and the entity (`request.auditNote`); when it cannot (a results id of
     * another application, say), the read is still recorded, with no entity and no resource.
     */
    audit?: { resource: string | null };
  }
  interface FastifyRequest {
    /** What only the handler knows of a read it audits: the resource and entity a results fetch replays. */
    auditNote: { resource: string; entityId: string } | null;
    /**
     * The entity the read found to be the caller's (set by src/api/data/entity-access.ts), so that
     * its record names it without parsing the request again; null until then.
     */
    auditEntity: string | null;
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The entity the request named, if it named one UUID; a refused request may name none, or two. */
function namedEntity(request: FastifyRequest): string | null {
  let id: string;
  try {
    id = entityIdOf(request);
  } catch {
    return null;
  }
  return UUID.test(id) ? id.toLowerCase() : null;
}

/** The record of one answered read: who (application, token subject), what (operation, resource, entity, account), when and how it ended. */
export function readEvent(request: FastifyRequest, status: number, operation: string | null, resource: string | null): AuditEventInput {
  const note = request.auditNote;
  return dataReadEvent({
    appId: request.principal.appId,
    subject: request.principal.clientId,
    requestId: request.id,
    entityId: note ? note.entityId : resource === null ? null : (request.auditEntity ?? namedEntity(request)),
    operation,
    resource: note ? note.resource : resource,
    accountId: accountIdOf(request.params),
    status,
    errorCode: request.problemCode,
  });
}

/**
 * Records every answered request of the routes declaring `config.audit`, once, after the answer
 * has gone (an `onResponse` hook: the client never waits for it), into the context's buffered
 * recorder. A request refused before it was authenticated (401) has no application to record it
 * under and is left to the request log. With `AUDIT=off` no hook is installed at all.
 */
export function installAuditTrail(app: FastifyInstance, ctx: AppContext): void {
  app.decorateRequest('auditNote', null);
  app.decorateRequest('auditEntity', null);
  if (!ctx.audit.enabled) return;
  app.addHook('onRoute', (route) => {
    const audit = route.config?.audit;
    if (!audit) return;
    const operation = route.schema?.operationId ?? null;
    const hook: onResponseHookHandler = (request, reply, done) => {
      if (request.principal) ctx.audit.record(readEvent(request, reply.statusCode, operation, audit.resource));
      done();
    };
    route.onResponse = [...(route.onResponse ? [route.onResponse].flat() : []), hook];
  });
}
