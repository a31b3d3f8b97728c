import { randomUUID } from 'node:crypto';
import type { FastifyError, FastifyPluginAsync, FastifyReply } from 'fastify';
import { registerAis } from './ais.ts';
import { registerKsaAis } from './ksa/ais.ts';
import { registerAuthorizationControl } from './authorization-server/control.ts';
import { registerInteractionPages } from './authorization-server/interaction-pages.ts';
import { registerAuthorizationServer } from './authorization-server/mount.ts';
import { createProviderRegistry } from './authorization-server/providers.ts';
import type { SandboxClientRegistration } from './authorization-server/registration.ts';
import { createContext, type SandboxBank } from './context.ts';
import { registerControl } from './control.ts';
import { obieErrorBody, ObieError, type ObieErrorCode } from './errors.ts';
import type { Form } from './form.ts';
import { openState } from './state.ts';
import { registerUaeAis } from './uae/ais.ts';

export interface SandboxBanksOptions {
  /** Each bank's data profile and FAPI profile (`SandboxBankProfile` of profiles.ts fits). */
  banks: readonly SandboxBank[];
  /** openlean's client registration at each bank, by bank identifier; a bank without one answers its OAuth requests with 404. */
  clients: Readonly<Record<string, SandboxClientRegistration>>;
  /** The bank's clock: consents, tokens and the data (new transactions appear as it moves). */
  now: () => Date;
  /** `sandbox-banks.db` goes here. */
  dataDir: string;
  /** Absolute URL the plugin is mounted under, e.g. `http://127.0.0.1:3000/sandbox-banks`; read per request, as the port is known only after listen. */
  baseUrl: () => string;
  /**
   * The TLS listener (`startSandboxTlsListener`, tls-listener.ts) that routes into this plugin:
   * its base URL, e.g. `https://127.0.0.1:3443/sandbox-banks`, read per request like `baseUrl`.
   * The token, PAR, revocation and userinfo endpoints and the OBIE API answer there only.
   */
  tls: { baseUrl: () => string };
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
 * The built-in sandbox banks: for each bank, a FAPI authorization server (oidc-provider) whose
 * interaction is the bank's own pages, and an OBIE v3.1.11 Account and Transaction API over
 * generated data, at `{prefix}/{bank_identifier}` on the host's HTTP port and on the TLS
 * listener (docs/sandbox-banks.md). Self-contained: its own state file, error
 * formats, body parsing and routes hidden from the host's OpenAPI document.
 */
export const sandboxBanksPlugin: FastifyPluginAsync<SandboxBanksOptions> = async (app, options) => {
  const state = await openState(options.dataDir);
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
    tlsBaseUrl: () => options.tls.baseUrl().replace(/\/+$/, ''),
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

  // The interaction pages answer errors as pages, so they get their own context; oidc-provider
  // answers its own (RFC 6749 JSON, or its error page).
  const providers = createProviderRegistry(ctx, options.clients, ctx.tlsBaseUrl);
  registerAuthorizationServer(app, ctx, providers, ctx.tlsBaseUrl);
  await app.register(async (scope) => registerInteractionPages(scope, ctx, providers));
  registerAis(app, ctx, providers);
  registerKsaAis(app, ctx, providers);
  // UAE v2.1 banks: its own error format, so in its own encapsulated scope.
  await app.register(async (scope) => registerUaeAis(scope, ctx, providers));
  registerControl(app, ctx);
  registerAuthorizationControl(app, ctx, providers);
};
