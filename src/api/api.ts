import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';

/**
 * The Fastify instance the API's routes are registered on. Through the TypeBox type provider a
 * handler's `request.params`, `query`, `headers` and `body` are typed from its route's schemas, and
 * what it answers is checked against the route's response schemas (test/api/route-types.typecheck.ts).
 * Fastify checks `reply.code(n).send(…)` only against a response given as a bare schema: a route
 * that documents its answer per media type (`content`, for its headers or description) sets the
 * status with `reply.code(n)` and returns the body. Compile time only: validating and serializing
 * at run time stay src/api/validation.ts's and Fastify's.
 */
export type Api = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, TypeBoxTypeProvider>;
