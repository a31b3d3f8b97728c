import Type from 'typebox';

/** `$ref` to a schema registered with `app.addSchema` (it becomes a named OpenAPI component). */
export const ref = (id: string) => Type.Unsafe({ $ref: `${id}#` });

/** Problem+json responses for the statuses a route can answer with, for the OpenAPI document. */
export function problemResponses(...statuses: number[]): Record<number, unknown> {
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
  return Object.fromEntries(
    statuses.map((s) => [s, { description: descriptions[s] ?? 'Error', content: { 'application/problem+json': { schema: ref('Problem') } } }]),
  );
}
