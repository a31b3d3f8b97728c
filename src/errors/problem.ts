import Type from 'typebox';
import { StringEnum } from '../domain/typebox.ts';
import { ERROR_CODES, type ErrorCode } from './api-error.ts';

/** RFC 9457 problem details, as every error of the API is sent. */
export const Problem = Type.Object(
  {
    type: Type.String({ description: 'URI identifying the problem type' }),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    code: StringEnum(Object.keys(ERROR_CODES) as ErrorCode[]),
    request_id: Type.String(),
    param: Type.Optional(Type.String({ description: 'The request parameter at fault' })),
  },
  { $id: 'Problem' },
);
export type Problem = Type.Static<typeof Problem>;

export function problem(code: ErrorCode, detail: string, requestId: string, param?: string): Problem {
  const { status, title } = ERROR_CODES[code];
  return {
    type: `urn:openlean:problem:${code.toLowerCase().replaceAll('_', '-')}`,
    title,
    status,
    detail,
    code,
    request_id: requestId,
    ...(param === undefined ? {} : { param }),
  };
}
