import Type from 'typebox';
import type { Api } from '../api.ts';
import type { AppContext } from '../../context.ts';
import { AUDIT_KINDS, AUDIT_OUTCOMES } from '../../domain/audit.ts';
import { Nullable, StringEnum } from '../../domain/typebox.ts';
import { ApiError } from '../../errors/api-error.ts';
import { listAuditEvents, type AuditFilter } from '../../store/audit-events.ts';
import type { AuditEventRow } from '../../store/schema.ts';
import { KeysetPageParams, keysetPage, keysetPaging, PageHeaders, pageHeaders } from '../pagination.ts';
import { problemResponses, ref } from '../responses.ts';

export const AuditEvent = Type.Object(
  {
    event_id: Type.String({ format: 'uuid' }),
    kind: StringEnum(AUDIT_KINDS, { description: '`data.read`: a read of bank data (answered or refused); `consent.*`: a change of an entity\'s consent' }),
    app_id: Type.String({ format: 'uuid', description: 'The application that read or changed (always the caller\'s own)' }),
    customer_id: Nullable(Type.String({ format: 'uuid', description: 'Null when the entity named is not one of this application\'s (a refused read)' })),
    entity_id: Nullable(Type.String({ format: 'uuid', description: 'The entity the request named; null when it named none' })),
    operation: Nullable(Type.String({ description: 'The operationId of the read (`getAccounts`, `getAccountsLean`, `syncTransactions`, `getResults`, …); null for consent changes' })),
    resource: Nullable(Type.String({ description: 'What was read: `accounts`, `balances`, `transactions`, `identity`, …' })),
    account_id: Nullable(Type.String({ description: 'The account read, for the account reads' })),
    subject: Nullable(Type.String({ description: 'The access token\'s subject (`sub`: the client_id); null for what openlean did on its own (a scheduled refresh)' })),
    request_id: Nullable(Type.String({ description: 'The request\'s `x-request-id`' })),
    status: Nullable(Type.Integer({ description: 'The HTTP status answered; null outside a request' })),
    outcome: StringEnum(AUDIT_OUTCOMES, { description: 'OK; REFUSED: answered 4xx (wrong tenant 404, revoked or expired consent 403, …); FAILED: 5xx, or a refresh that failed' }),
    error_code: Nullable(Type.String({ description: 'The problem `code` answered, or the refresh\'s error code' })),
    detail: Nullable(Type.String({ description: 'More about a consent change (the refresh, what the bank said)' })),
    at: Type.String({ format: 'date-time', description: 'When, ISO 8601 UTC' }),
  },
  { $id: 'AuditEvent', additionalProperties: false, description: 'One audit record: a read of bank data or a change of an entity\'s consent. Records cannot be altered.' },
);
export type AuditEvent = Type.Static<typeof AuditEvent>;

const Query = Type.Object(
  {
    ...KeysetPageParams,
    customer_id: Type.Optional(Type.String({ format: 'uuid', description: 'Only records about this customer' })),
    entity_id: Type.Optional(Type.String({ format: 'uuid', description: 'Only records about this entity' })),
    kind: Type.Optional(StringEnum(AUDIT_KINDS, { description: 'Only records of this kind' })),
    from: Type.Optional(Type.String({ format: 'date-time', description: 'Only records made at or after this time (ISO 8601)' })),
    to: Type.Optional(Type.String({ format: 'date-time', description: 'Only records made before this time (ISO 8601)' })),
  },
  { additionalProperties: false },
);

export function toAuditEvent(row: AuditEventRow): AuditEvent {
  const { id, ...rest } = row;
  return { event_id: id, ...rest };
}

/** A `date-time` parameter as stored times compare (UTC, milliseconds), so any offset or precision filters exactly. */
function instant(param: 'from' | 'to', value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new ApiError('INVALID_PARAMETER', `The query parameter "${param}" is not a date-time`, { param });
  return new Date(ms).toISOString();
}

/**
 * `GET /audit/v1/events`: the audit trail of the caller's application, newest first, paged by
 * `page`/`size` or the keyset `cursor` of the `Link: rel="next"` header. Another application's
 * records are never listed; nothing in the API alters or deletes a record (docs/decisions/017).
 */
export function registerListAuditEvents(app: Api, ctx: AppContext): void {
  app.addSchema(AuditEvent);
  app.get(
    '/audit/v1/events',
    {
      config: { auth: 'api' },
      schema: {
        operationId: 'listAuditEvents',
        tags: ['Audit'],
        summary: 'Who read which customer\'s bank data, and each change of a consent',
        description:
          'Every read of bank data by this application (each data endpoint in both forms, the transactions sync feed, results fetches), ' +
          'including refused ones, and every change of its entities\' consents (created, reconnected, refreshed, revoked, deleted), newest first. ' +
          'Reads are recorded in batches: a read appears within `AUDIT_FLUSH_MS` (a second by default). Records are kept `AUDIT_RETENTION_DAYS`.',
        querystring: Query,
        response: {
          200: { description: 'Audit records', headers: PageHeaders, content: { 'application/json': { schema: Type.Array(ref(AuditEvent)) } } },
          ...problemResponses(400, 401, 403),
        },
      },
    },
    async (request, reply) => {
      const q = request.query;
      const paging = keysetPaging(q);
      const filter: AuditFilter = {};
      if (q.customer_id !== undefined) filter.customerId = q.customer_id.toLowerCase();
      if (q.entity_id !== undefined) filter.entityId = q.entity_id.toLowerCase();
      if (q.kind !== undefined) filter.kind = q.kind;
      const from = instant('from', q.from);
      const to = instant('to', q.to);
      if (from !== undefined) filter.from = from;
      if (to !== undefined) filter.to = to;
      const { rows, total } = await listAuditEvents(ctx.store.read, request.principal.appId, filter, paging);
      const { page, next } = keysetPage(paging, rows, (r) => ({ at: r.at, id: r.id }));
      reply.headers(pageHeaders(request.url, total, next));
      return page.map(toAuditEvent);
    },
  );
}
