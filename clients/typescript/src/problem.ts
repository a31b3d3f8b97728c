import type { components } from './generated/openlean.d.ts';

/** An RFC 9457 problem+json body as openlean renders every API error (components/schemas/Problem). */
export type Problem = components['schemas']['Problem'];
/** The closed set of stable error codes (`Problem.code`); docs/decisions/019-typescript-client.md. */
export type ProblemCode = Problem['code'];

/**
 * An error answer of openlean: the problem+json fields as properties, `code` typed as the closed
 * union of the published document, so `switch (err.code)` is checked by the compiler.
 *
 * @example
 * try { await client.accounts(entityId) } catch (err) { if (err instanceof ProblemError && err.code === 'CONSENT_EXPIRED') … }
 */
export class ProblemError extends Error {
  override readonly name = 'ProblemError';
  readonly type: string;
  readonly title: string;
  /** The HTTP status. */
  readonly status: number;
  readonly detail: string;
  readonly code: ProblemCode;
  /** Quote it when asking the operator about this request (their logs carry it). */
  readonly request_id: string;
  /** The request parameter at fault, when one is. */
  readonly param: string | undefined;

  constructor(problem: Problem) {
    super(`${problem.code}: ${problem.detail}`);
    this.type = problem.type;
    this.title = problem.title;
    this.status = problem.status;
    this.detail = problem.detail;
    this.code = problem.code;
    this.request_id = problem.request_id;
    this.param = problem.param;
  }

  /** The problem body, as the server sent it. */
  toJSON(): Problem {
    return { type: this.type, title: this.title, status: this.status, detail: this.detail, code: this.code, request_id: this.request_id, ...(this.param !== undefined ? { param: this.param } : {}) };
  }
}

/**
 * An answer that is neither what the operation documents nor a problem+json: from something
 * between the client and openlean (a proxy's HTML error page), or a server of another kind.
 */
export class UnexpectedResponseError extends Error {
  override readonly name = 'UnexpectedResponseError';
  readonly status: number;
  /** The body: parsed when it was JSON, else the text. */
  readonly body: unknown;

  constructor(status: number, body: unknown) {
    super(`unexpected HTTP ${status} answer: ${typeof body === 'string' ? body.slice(0, 200) : JSON.stringify(body)?.slice(0, 200)}`);
    this.status = status;
    this.body = body;
  }
}

/** Whether `body` has the shape of openlean's problem+json (the fields every problem carries). */
export function isProblem(body: unknown): body is Problem {
  if (!body || typeof body !== 'object') return false;
  const b = body as Record<string, unknown>;
  return typeof b.code === 'string' && typeof b.status === 'number' && typeof b.detail === 'string' && typeof b.title === 'string' && typeof b.type === 'string' && typeof b.request_id === 'string';
}
