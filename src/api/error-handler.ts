import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, ERROR_CODES, type ErrorCode } from '../errors/api-error.ts';
import { problem } from '../errors/problem.ts';
import { isUnstorableValue } from '../store/database.ts';
import { newRequestId } from './request-id.ts';

export interface ValidationIssue {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

const CONTEXT_NAMES: Record<string, string> = {
  querystring: 'query parameter',
  headers: 'header',
  params: 'path parameter',
  body: 'body field',
};

/** Names the parameter a validation issue is about, as the client spelled it. */
export function describeIssue(context: string, issue: ValidationIssue): { code: ErrorCode; param: string; detail: string } {
  const path = issue.instancePath.split('/').filter(Boolean).join('.');
  const where = CONTEXT_NAMES[context] ?? context;
  if (issue.keyword === 'additionalProperties') {
    const name = [path, String(issue.params.additionalProperty)].filter(Boolean).join('.');
    return { code: 'UNKNOWN_PARAMETER', param: name, detail: `Unknown ${where} "${name}"` };
  }
  if (issue.keyword === 'required') {
    const name = [path, String(issue.params.missingProperty)].filter(Boolean).join('.');
    return { code: 'INVALID_PARAMETER', param: name, detail: `The ${where} "${name}" is required` };
  }
  const name = path || context;
  let message = issue.message ?? 'is invalid';
  if (issue.keyword === 'enum' && Array.isArray(issue.params.allowedValues)) {
    message = `must be one of ${issue.params.allowedValues.join(', ')}`;
  }
  return { code: 'INVALID_PARAMETER', param: name, detail: `The ${where} "${name}" ${message}` };
}

/** Fastify's own client errors, each given a stable code. */
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'MALFORMED_BODY',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'MALFORMED_BODY',
  FST_ERR_CTP_INVALID_JSON_BODY: 'MALFORMED_BODY',
};

/**
 * The router's limit on one path parameter, far above every documented `maxLength` (at most 255):
 * a longer value is refused like any other over-long parameter, with 400 `INVALID_PARAMETER`
 * (docs/decisions/020-newcomer-contract.md).
 */
export const MAX_PATH_PARAMETER_LENGTH = 2048;

/**
 * For errors Fastify raises before routing: a path that is not valid percent-encoding, or a path
 * parameter over {@link MAX_PATH_PARAMETER_LENGTH}. The detail never echoes the path (it may be
 * huge, and is the caller's own input). Answered before the `onRequest` hooks, so the request id
 * header is set here.
 */
export function frameworkErrorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  reply.header('x-request-id', request.id);
  const detail =
    error.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? `A path parameter is longer than its documented maximum length`
      : error.code === 'FST_ERR_BAD_URL'
        ? 'The path is not valid percent-encoding'
        : 'The request could not be routed';
  return sendProblem(reply, request, 'INVALID_PARAMETER', detail);
}

/**
 * For requests Node's HTTP parser refuses before Fastify sees them (a control character in a
 * header, an invalid request line, headers over the size limit, a request too slow to arrive):
 * problem+json with a request id, like every other error, written straight to the socket as
 * Fastify's default handler does. Fastify's `clientErrorHandler` option (`this` is the instance).
 */
export function clientErrorHandler(this: FastifyInstance, error: NodeJS.ErrnoException, socket: Socket): void {
  // A reset connection has nobody to answer (https://nodejs.org/api/http.html#event-clienterror).
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const code: ErrorCode = error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 'REQUEST_TIMEOUT' : error.code === 'HPE_HEADER_OVERFLOW' ? 'HEADERS_TOO_LARGE' : 'MALFORMED_REQUEST';
  const detail =
    code === 'REQUEST_TIMEOUT'
      ? 'The request was not received in time'
      : code === 'HEADERS_TOO_LARGE'
        ? 'The request line and headers exceed the server\'s limit (16 KiB)'
        : `The HTTP request could not be parsed (${error.code ?? 'parse error'}): for example a control character in a header value`;
  const id = newRequestId();
  this.log.info({ request_id: id, code: error.code }, 'client error');
  if (socket.writable) {
    const body = JSON.stringify(problem(code, detail, id));
    const { status } = ERROR_CODES[code];
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/problem+json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `x-request-id: ${id}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The `code` of the problem answered, for the audit trail; null when none was. */
    problemCode: ErrorCode | null;
  }
}

export function sendProblem(reply: FastifyReply, request: FastifyRequest, code: ErrorCode, detail: string, param?: string) {
  const body = problem(code, detail, request.id, param);
  request.problemCode = code;
  // A validator set for the data the request was about does not describe an error.
  reply.removeHeader('etag');
  if (body.status === 401 && !reply.hasHeader('www-authenticate')) reply.header('www-authenticate', `Bearer realm="openlean", error="invalid_token"`);
  return reply.code(body.status).type('application/problem+json').send(body);
}

/**
 * RFC 6750 §3 challenge of a 401, pointing at the RFC 9728 protected-resource metadata (where an
 * MCP client learns how to get a token): no `error` when no token was sent (§3.1).
 */
export function bearerChallenge(code: ErrorCode, resourceMetadataUrl: string): string {
  const error = code === 'UNAUTHENTICATED' ? '' : ', error="invalid_token"';
  return `Bearer realm="openlean"${error}, resource_metadata="${resourceMetadataUrl}"`;
}

/**
 * The one place errors become responses: `ApiError`s keep their code, Fastify's validation and
 * parsing errors become 400/413/415 with the parameter named, anything else is a 500 that says
 * nothing of its cause (the log has it, under the request id).
 */
export function installErrorHandling(app: FastifyInstance, options: { resourceMetadataUrl?: () => string } = {}): void {
  app.decorateRequest('problemCode', null);
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof ApiError) {
      reply.headers(error.headers);
      if (error.status === 401 && options.resourceMetadataUrl) reply.header('www-authenticate', bearerChallenge(error.code, options.resourceMetadataUrl()));
      return sendProblem(reply, request, error.code, error.message, error.param);
    }
    if (error.validation && error.validation.length > 0) {
      const issue = describeIssue(error.validationContext ?? 'request', error.validation[0] as ValidationIssue);
      return sendProblem(reply, request, issue.code, issue.detail, issue.param);
    }
    const mapped = error.code ? FASTIFY_CODES[error.code] : undefined;
    if (mapped) return sendProblem(reply, request, mapped, error.message);
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      return sendProblem(reply, request, error.statusCode === 415 ? 'UNSUPPORTED_MEDIA_TYPE' : 'MALFORMED_BODY', error.message);
    }
    if (isUnstorableValue(error)) return sendProblem(reply, request, 'INVALID_PARAMETER', 'The request contains a character that cannot be stored (NUL)');
    request.log.error({ err: error }, 'unhandled error');
    return sendProblem(reply, request, 'INTERNAL_ERROR', 'The server could not complete the request');
  });

  // Decided before the body is parsed: an unknown method is the answer whatever the body (a QUERY
  // without Content-Type is a 405, not a malformed body). An unknown path is left to the not-found
  // handler of its prefix (the Link pages answer HTML, the sandbox banks their standard's error),
  // except for QUERY, whose Content-Type check Fastify makes before any not-found handler.
  app.addHook('onRequest', (request, reply, done) => {
    if (!request.is404) return done();
    const path = request.url.split('?')[0]!;
    const allowed = allowedMethods(app, path);
    if (allowed.length === 0) {
      if (request.method !== 'QUERY') return done();
      return void sendProblem(reply, request, 'ROUTE_NOT_FOUND', `No route ${request.method} ${shorten(path)}`);
    }
    reply.header('allow', allowed.join(', '));
    return void sendProblem(reply, request, 'METHOD_NOT_ALLOWED', `${request.method} is not allowed on this route; allowed: ${allowed.join(', ')}`);
  });
  app.setNotFoundHandler((request, reply) => sendProblem(reply, request, 'ROUTE_NOT_FOUND', `No route ${request.method} ${shorten(request.url.split('?')[0]!)}`));
}

/** A path as a detail may quote it: at most 200 characters. */
const shorten = (path: string) => (path.length > 200 ? `${path.slice(0, 200)}…` : path);

/** The methods some route serves at this concrete path, for `Allow` (RFC 9110 §15.5.6). */
function allowedMethods(app: FastifyInstance, path: string): string[] {
  return app.supportedMethods.filter((method) => app.findRoute({ method: method as 'GET', url: path }) !== null);
}
