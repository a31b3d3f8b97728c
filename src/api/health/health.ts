import Type from 'typebox';
import { StringEnum } from '../../domain/typebox.ts';
import { sql } from 'kysely';
import type { Api } from '../api.ts';
import type { AppContext } from '../../context.ts';

const Health = Type.Object({ status: StringEnum(['ok', 'unavailable']) });

export function registerHealth(app: Api, ctx: AppContext): void {
  app.get(
    '/healthz',
    { schema: { operationId: 'healthz', tags: ['Operations'], summary: 'Liveness: the process answers', response: { 200: Health } } },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/readyz',
    {
      schema: {
        operationId: 'readyz',
        tags: ['Operations'],
        summary: 'Readiness: the database answers',
        response: { 200: Health, 503: Health },
      },
    },
    async (request, reply) => {
      try {
        await sql`select 1`.execute(ctx.store.read);
        return { status: 'ok' as const };
      } catch (err) {
        request.log.warn({ err }, 'readiness check failed');
        return reply.code(503).send({ status: 'unavailable' as const });
      }
    },
  );
}
