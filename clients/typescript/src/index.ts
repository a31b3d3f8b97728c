/**
 * openlean's typed TypeScript client (README, "TypeScript client"): the REST API from its
 * published OpenAPI document, with the token flow, paging, the sync feed, webhook verification
 * and problem+json errors built in.
 */
export * from './client.ts';
export { nextLink, nextPageQuery } from './link.ts';
export { isProblem, ProblemError, UnexpectedResponseError, type Problem, type ProblemCode } from './problem.ts';
export { TokenError, TokenSource, type TokenSourceOptions } from './token.ts';
export * from './webhooks.ts';
export type { components, paths, operations } from './generated/openlean.d.ts';
