import type Type from 'typebox';
import type { Validator } from 'typebox/compile';
import { ObieError, type ObieErrorCode } from './errors.ts';

const CODES: Record<string, ObieErrorCode> = {
  required: 'UK.OBIE.Field.Missing',
  additionalProperties: 'UK.OBIE.Field.Unexpected',
};

/** `body` as the schema's type, or a 400 naming the first field at fault in OBIE's dotted form. */
export function validBody<T extends Type.TSchema>(validator: Validator<{}, T>, body: unknown): Type.Static<T> {
  if (validator.Check(body)) return body as Type.Static<T>;
  // `boolean` entries repeat an additionalProperties failure as "schema is false".
  const first = validator.Errors(body).find((e) => e.keyword !== 'boolean');
  if (!first) throw new ObieError(400, 'UK.OBIE.Field.Invalid', 'The body is invalid');
  const params = first.params as { requiredProperties?: string[]; additionalProperties?: string[]; format?: string };
  const names = [...first.instancePath.split('/').filter(Boolean), ...(params.requiredProperties ?? params.additionalProperties ?? []).slice(0, 1)];
  const path = names.join('.') || undefined;
  const code = CODES[first.keyword] ?? (params.format === 'date-time' ? 'UK.OBIE.Field.InvalidDate' : 'UK.OBIE.Field.Invalid');
  throw new ObieError(400, code, `${path ?? 'The body'} ${first.message}`, path ? { path } : {});
}
