import { Ajv, type Options } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifyInstance } from 'fastify';

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
}
