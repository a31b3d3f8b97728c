import Type from 'typebox';
import { Problem } from '../errors/problem.ts';

/** The `$id` a schema is registered under with `app.addSchema`; a schema without one cannot be referred to. */
function idOf(schema: Type.TSchema): string {
  if ('$id' in schema && typeof schema.$id === 'string') return schema.$id;
  throw new Error('ref() takes a schema with an $id, one registered with app.addSchema');
}

/**
 * `$ref` to `schema`, which is registered with `app.addSchema` (it becomes a named OpenAPI
 * component), typed as `schema` itself: a handler answering it is checked against it.
 */
export function ref<T extends Type.TSchema & object>(schema: T): Type.TUnsafe<Type.Static<T>> {
  return Type.Unsafe<Type.Static<T>>({ $ref: `${idOf(schema)}#` });
}

/**
 * A documented answer without a body (a 304, a 204). Typed `never`: it adds nothing to what a
 * handler may send, so a route's other answers stay checked.
 */
export function noBody<T extends object>(response: T): Type.TUnsafe<never> {
  return Type.Unsafe<never>(response);
}

/**
 * A problem+json body. Typed `never`: handlers never send one, they throw an `ApiError` and the
 * error handler renders it (src/api/error-handler.ts), so it adds nothing to what a handler may send.
 */
export function problemContent() {
  return { 'application/problem+json': { schema: Type.Unsafe<never>({ $ref: `${idOf(Problem)}#` }) } };
}

type ProblemResponse = { description: string; content: ReturnType<typeof problemContent> };

/** Problem+json responses for the statuses a route can answer with, for the OpenAPI document. */
export function problemResponses<const Status extends number>(...statuses: Status[]): Record<Status, ProblemResponse> {
  const descriptions: Record<number, string> = {
    400: 'Malformed input; `param` names the parameter at fault',
    401: 'Missing, malformed, expired or foreign access token',
    403: 'Token scope, consent permission or consent status forbids this',
    404: 'Not found, or owned by another application',
    409: 'Conflicts with the current state',
    410: 'Gone: expired',
    413: 'Request body too large',
    415: 'Unsupported content type',
    429: 'Rate limited; see Retry-After',
    502: 'The bank failed or answered unexpectedly',
  };
  // Keyed by exactly the statuses given, which `Object.fromEntries` cannot know.
  return Object.fromEntries(statuses.map((s) => [s, { description: descriptions[s] ?? 'Error', content: problemContent() }])) as Record<Status, ProblemResponse>;
}
