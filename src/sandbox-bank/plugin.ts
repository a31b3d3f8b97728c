import { randomUUID } from 'node:crypto';
import type { FastifyError, FastifyPluginAsync, FastifyReply } from 'fastify';
import type { BankDefinition } from '../banks/registry.ts';
import { registerAis } from './ais.ts';
import { createContext } from './context.ts';
import { registerControl } from './control.ts';
import { obieErrorBody, ObieError, type ObieErrorCode } from './errors.ts';
import { registerJourney } from './journey.ts';
import { registerOAuth, type Form } from './oauth.ts';
import { openState } from './state.ts';

export interface SandboxBanksOptions {
  banks: readonly BankDefinition[];
  /** The bank's clock: consents, tokens and the data (new transactions appear as it moves). */
  now: () => Date;
  /** `sandbox-banks.db` goes here. */
  dataDir: string;
  /** Absolute URL the plugin is mounted under, e.g. `http://127.0.0.1:3000/sandbox-banks`; read per request, as the port is known only after listen. */
  baseUrl: () => string;
  /** Lifetime of access tokens; 3600 by default. */
  accessTokenTtlSeconds?: number;
  /** How long the `timeouts` fault holds a request when the client does not give up first; 30 000 by default. */
  hangMs?: number;
}

const FORM = 'application/x-www-form-urlencoded';
/** Echoed as given when it looks like an id; anything else gets a fresh UUID. */
const INTERACTION_ID = /^[\x21-\x7e]{1,128}$/;

function sendObieError(reply: FastifyReply, status: number, code: ObieErrorCode, message: string, path?: string) {
  const id = String(reply.getHeader('x-fapi-interaction-id') ?? '');
  return reply.code(status).type('application/json; charset=utf-8').send(obieErrorBody(status, code, message, id, path));
}

/**
 * The built-in sandbox banks: for each bank, an OAuth 2.0 authorization server with a consent
 * journey and an OBIE v3.1.11 Account and Transaction API over generated data, at
 * `{prefix}/{bank_identifier}` (docs/sandbox-banks.md). Self-contained: its own state file, error
 * formats, body parsing and routes hidden from the host's OpenAPI document.
 */
export const sandboxBanksPlugin: FastifyPluginAsync<SandboxBanksOptions> = async (app, options) => {
  const state = openState(options.dataDir);
  const closing = new AbortController();
  // Before the server waits for open requests to end: a request held by a fault ends now.
  app.addHook('preClose', (done) => {
    closing.abort();
    done();
  });
  // Node closes only the connections idle when closing starts; one that answers afterwards must not stay open.
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (closing.signal.aborted) reply.header('connection', 'close');
    done(null, payload);
  });
  app.addHook('onClose', (_instance, done) => {
    state.close();
    done();
  });

  const ctx = createContext({
    banks: options.banks,
    state,
    now: options.now,
    baseUrl: () => options.baseUrl().replace(/\/+$/, ''),
    prefix: app.prefix,
    accessTokenTtlSeconds: options.accessTokenTtlSeconds ?? 3600,
    hangMs: options.hangMs ?? 30_000,
    closing: closing.signal,
  });

  app.addHook('onRequest', (request, reply, done) => {
    const given = request.headers['x-fapi-interaction-id'];
    reply.header('x-fapi-interaction-id', typeof given === 'string' && INTERACTION_ID.test(given) ? given : randomUUID());
    done();
  });

  // Ours, whatever the host parses forms with: the journey needs repeated fields as arrays. OBIE
  // bodies are JSON: plain text is an unsupported media type, not a string to validate.
  if (app.hasContentTypeParser('text/plain')) app.removeContentTypeParser('text/plain');
  if (app.hasContentTypeParser(FORM)) app.removeContentTypeParser(FORM);
  app.addContentTypeParser(FORM, { parseAs: 'string' }, (_request, body, done) => {
    const form: Form = {};
    for (const [name, value] of new URLSearchParams(body as string)) {
      const seen = form[name];
      form[name] = seen === undefined ? value : [seen, value].flat();
    }
    done(null, form);
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof ObieError) {
      reply.headers(error.headers);
      return sendObieError(reply, error.status, error.errorCode, error.message, error.path);
    }
    const status = error.statusCode;
    if (status && status >= 400 && status < 500) {
      return status === 415
        ? sendObieError(reply, 415, 'UK.OBIE.Header.Invalid', error.message, 'Content-Type')
        : sendObieError(reply, status, 'UK.OBIE.Field.Invalid', error.message);
    }
    request.log.error({ err: error }, 'sandbox bank failed');
    return sendObieError(reply, 500, 'UK.OBIE.UnexpectedError', 'The bank failed to answer');
  });
  app.setNotFoundHandler((request, reply) => sendObieError(reply, 404, 'UK.OBIE.Resource.NotFound', `${request.method} ${request.url.split('?')[0]} does not exist`));

  // OAuth and the journey answer errors in their own formats, so each gets its own context.
  await app.register(async (scope) => registerOAuth(scope, ctx));
  await app.register(async (scope) => registerJourney(scope, ctx));
  registerAis(app, ctx);
  registerControl(app, ctx);
};
