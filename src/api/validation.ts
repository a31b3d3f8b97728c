import { Ajv, type Options } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifyInstance, FastifySchema } from 'fastify';
import { problemResponses } from './responses.ts';

function buildAjv(options: Options): Ajv {
  const ajv = new Ajv({ strict: false, removeAdditional: false, useDefaults: true, allErrors: false, ...options });
  (addFormats as unknown as (a: Ajv) => void)(ajv);
  return ajv;
}

/**
 * Query strings, paths and headers arrive as text, so their values are coerced to the schema's
 * types (`size=10` is an integer); a JSON body is already typed and is never coerced (a number
 * given for a string field is an error, not the string "42"). Unknown properties are reported,
 * not silently dropped.
 */
export function installValidation(app: FastifyInstance): void {
  const text = buildAjv({ coerceTypes: 'array' });
  const json = buildAjv({ coerceTypes: false });
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? json : text).compile(schema));
  closeQueries(app);
}

/** A query schema with nothing in it: the route takes no query parameter. */
const NO_QUERY = { type: 'object', properties: {}, additionalProperties: false } as const;

/**
 * Every published operation (a route with an `operationId`) refuses query parameters it does not
 * declare with 400 `UNKNOWN_PARAMETER`, whether or not it declares any; a route that means to take
 * any (the Link callback's bank parameters) says so with its own `additionalProperties`; the
 * published responses gain that 400 where a route listed none. Applied to
 * routes as they are added, so routes added later inherit it.
 */
export function closeQueries(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    const schema = route.schema as (FastifySchema & { operationId?: string }) | undefined;
    if (!schema?.operationId) return;
    const query = schema.querystring as Record<string, unknown> | undefined;
    if (!query) schema.querystring = NO_QUERY;
    else if (query.additionalProperties === undefined) schema.querystring = { ...query, additionalProperties: false };
    // So the document shows the 400 an unknown parameter answers (an OAuth error where the route has its own).
    const response = schema.response as Record<string, unknown> | undefined;
    if (response && !('400' in response)) schema.response = { ...response, ...problemResponses(400) };
  });
}
