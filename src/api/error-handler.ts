import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, type ErrorCode } from '../errors/api-error.ts';
import { problem } from '../errors/problem.ts';
import { isUnstorableValue } from '../store/database.ts';

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
  FST_ERR_BAD_URL: 'INVALID_PARAMETER',
  FST_ERR_MAX_PARAM_LENGTH: 'URI_TOO_LONG',
};

/** For errors Fastify raises before routing (bad URL encoding, over-long path parameters). */
export function frameworkErrorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  return sendProblem(reply, request, FASTIFY_CODES[error.code] ?? 'INVALID_PARAMETER', error.message);
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
  if (body.status === 401) reply.header('www-authenticate', `Bearer realm="openlean", error="invalid_token"`);
  return reply.code(body.status).type('application/problem+json').send(body);
}

/**
 * The one place errors become responses: `ApiError`s keep their code, Fastify's validation and
 * parsing errors become 400/413/415 with the parameter named, anything else is a 500 that says
 * nothing of its cause (the log has it, under the request id).
 */
export function installErrorHandling(app: FastifyInstance): void {
  app.decorateRequest('problemCode', null);
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof ApiError) {
      reply.headers(error.headers);
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

  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, request, 'ROUTE_NOT_FOUND', `No route ${request.method} ${request.url.split('?')[0]}`),
  );
}
