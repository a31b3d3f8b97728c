import type { FastifyRequest } from 'fastify';

/*
 * The mock banks validate what they are sent as a bank does, in their standard's own error format,
 * so most of their routes declare no request schema. Code shared by several routes (a bank's
 * lookup, a consent's) reads the parts it needs through these, checked, rather than asserting a
 * shape; a route reads its own through Fastify's route generics.
 */

const member = (part: unknown, name: string): unknown => (typeof part === 'object' && part !== null ? Reflect.get(part, name) : undefined);

/** The path parameter `name` of the request's route; '' when the route has none of that name. */
export function pathParam(request: FastifyRequest, name: string): string {
  const value = member(request.params, name);
  return typeof value === 'string' ? value : '';
}

/** The query parameter `name` given once; undefined when absent or repeated. */
export function queryParam(request: FastifyRequest, name: string): string | undefined {
  const value = member(request.query, name);
  return typeof value === 'string' ? value : undefined;
}
