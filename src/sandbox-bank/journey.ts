import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { BankDefinition } from '../banks/registry.ts';
import { SANDBOX_CLIENT } from './client.ts';
import type { SandboxContext } from './context.ts';
import { JourneyError, ObieError } from './errors.ts';
import { formOf, HIDDEN, type Form } from './oauth.ts';
import { consentPage, errorPage, loginPage, MAX_OTP_ATTEMPTS, otpPage, pickLocale, SANDBOX_OTP, type PageContext } from './pages.ts';
import { randomSecret, type Session } from './state.ts';

/**
 * The authorization endpoint as the user sees it: sign in, one-time code, choose accounts, allow
 * or deny. The journey is carried in a hidden `session` field (an id into the bank's state), not
 * a cookie, so it works the same in a browser and from `approveConsent`.
 */

const SESSION_TTL_MS = 30 * 60_000;
const CODE_TTL_MS = 5 * 60_000;
const CHALLENGE = /^[A-Za-z0-9._~-]{43,128}$/;
const MAX_PARAM = 2048;

const SECURITY_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
};

function html(reply: FastifyReply, page: string, status = 200) {
  return reply.code(status).headers(SECURITY_HEADERS).send(page);
}

function redirect(reply: FastifyReply, redirectUri: string, params: Record<string, string>) {
  const url = new URL(redirectUri);
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  return reply.code(303).header('cache-control', 'no-store').header('location', url.toString()).send();
}

function single(source: Form, name: string): string | undefined {
  const value = source[name];
  if (Array.isArray(value)) throw new JourneyError(`${name} is repeated`);
  if (value !== undefined && value.length > MAX_PARAM) throw new JourneyError(`${name} is too long`);
  return value;
}

function required(source: Form, name: string): string {
  const value = single(source, name);
  if (!value) throw new JourneyError(`${name} is required`);
  return value;
}

/** Only absolute http(s) URLs without a fragment can be sent back to (RFC 6749 §3.1.2). */
function redirectUriOf(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new JourneyError('redirect_uri is not an absolute URL');
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.hash) throw new JourneyError('redirect_uri must be an http(s) URL without a fragment');
  return value;
}

export function registerJourney(app: FastifyInstance, ctx: SandboxContext): void {
  app.setErrorHandler((error, request, reply) => {
    const locale = pickLocale((request.query as Record<string, unknown> | undefined)?.ui_locales);
    const bankName = bankNameOf(ctx, request);
    if (error instanceof JourneyError || error instanceof ObieError) return html(reply, errorPage(locale, bankName, error.message), error.status);
    const status = (error as { statusCode?: number }).statusCode;
    if (status && status >= 400 && status < 500) return html(reply, errorPage(locale, bankName, (error as Error).message), status);
    request.log.error({ err: error }, 'sandbox bank journey failed');
    return html(reply, errorPage(locale, bankName, 'The bank failed. Try again.'), 500);
  });

  const pageContext = (bank: BankDefinition, session: Session, step: string): PageContext => ({
    locale: session.locale,
    bankName: bank.name,
    clientName: SANDBOX_CLIENT.client_id,
    action: `${ctx.prefix}/${bank.identifier}/authorize/${step}`,
    session: session.id,
  });

  /** The journey the form belongs to, at the step the form is for. */
  const sessionAt = (request: FastifyRequest, bank: BankDefinition, step: Session['step']): { session: Session; form: Form } => {
    const form = formOf(request.body);
    const session = ctx.state.session(bank.identifier, single(form, 'session') ?? '', ctx.now().getTime());
    if (!session) throw new JourneyError('This sign-in is unknown or has expired. Start again from the application.');
    if (session.step !== step) throw new JourneyError('This step of the sign-in is already done. Start again from the application.', 409);
    return { session, form };
  };

  /** Moves the journey on; another submission of the same page that got there first wins. */
  const advance = (session: Session, from: Session['step']) => {
    if (!ctx.state.updateSession(session, from)) throw new JourneyError('This step of the sign-in is already done. Start again from the application.', 409);
  };

  const customerOf = (bank: BankDefinition, login: string) =>
    ctx.customers.get(bank, login, ctx.state.user(bank.identifier, login).profile, ctx.now().getTime()).customer;

  app.get('/:bank/authorize', HIDDEN, async (request, reply) => {
    const bank = ctx.bank(request);
    const query = (request.query ?? {}) as Form;
    if (required(query, 'client_id') !== SANDBOX_CLIENT.client_id) throw new JourneyError('Unknown client_id');
    const redirectUri = redirectUriOf(required(query, 'redirect_uri'));
    if (required(query, 'response_type') !== 'code') throw new JourneyError('response_type must be "code"');
    const scopes = required(query, 'scope').split(' ').filter(Boolean);
    if (!scopes.includes('accounts') || scopes.some((s) => s !== 'accounts' && s !== 'openid')) {
      throw new JourneyError('scope must contain "accounts" and may add "openid"');
    }
    const state = required(query, 'state');
    const codeChallenge = required(query, 'code_challenge');
    if (!CHALLENGE.test(codeChallenge)) throw new JourneyError('code_challenge must be a base64url SHA-256 digest (43 to 128 characters)');
    if (required(query, 'code_challenge_method') !== 'S256') throw new JourneyError('code_challenge_method must be "S256"');
    const consentId = required(query, 'consent_id');
    const consent = ctx.state.consent(bank.identifier, consentId);
    if (!consent) throw new JourneyError(`Consent ${consentId} was not found at ${bank.name}`);
    if (consent.status !== 'AwaitingAuthorisation') throw new JourneyError(`Consent ${consentId} is ${consent.status}, not AwaitingAuthorisation`);

    const session: Session = {
      id: randomSecret(),
      bank: bank.identifier,
      consentId,
      redirectUri,
      state,
      nonce: single(query, 'nonce') ?? null,
      codeChallenge,
      scope: scopes.join(' '),
      locale: pickLocale(query.ui_locales),
      step: 'login',
      login: null,
      otpFailures: 0,
      expiresAtMs: ctx.now().getTime() + SESSION_TTL_MS,
    };
    ctx.state.createSession(session);
    return html(reply, loginPage(pageContext(bank, session, 'login')));
  });

  app.post('/:bank/authorize/login', HIDDEN, async (request, reply) => {
    const bank = ctx.bank(request);
    const { session, form } = sessionAt(request, bank, 'login');
    const username = single(form, 'username')?.trim() ?? '';
    const password = single(form, 'password') ?? '';
    if (!username || username.length > 100 || !password) return html(reply, loginPage(pageContext(bank, session, 'login'), 'missingCredentials'));
    advance({ ...session, step: 'otp', login: username }, 'login');
    return html(reply, otpPage(pageContext(bank, session, 'otp')));
  });

  app.post('/:bank/authorize/otp', HIDDEN, async (request, reply) => {
    const bank = ctx.bank(request);
    const { session, form } = sessionAt(request, bank, 'otp');
    if ((single(form, 'otp') ?? '').trim() === SANDBOX_OTP) {
      advance({ ...session, step: 'accounts' }, 'otp');
      const consent = ctx.state.consent(bank.identifier, session.consentId)!;
      const accounts = customerOf(bank, session.login!).accounts;
      return html(
        reply,
        consentPage(pageContext(bank, session, 'consent'), {
          permissions: consent.permissions,
          expiresAt: consent.expiresAt,
          accounts,
          selected: new Set(accounts.map((a) => a.accountId)),
          error: null,
        }),
      );
    }
    const failures = session.otpFailures + 1;
    // The consent stays AwaitingAuthorisation: the user may start over from the application.
    if (failures >= MAX_OTP_ATTEMPTS) {
      advance({ ...session, step: 'done', otpFailures: failures }, 'otp');
      return redirect(reply, session.redirectUri, { error: 'access_denied', error_description: 'otp_failed', state: session.state });
    }
    advance({ ...session, otpFailures: failures }, 'otp');
    return html(reply, otpPage(pageContext(bank, session, 'otp'), MAX_OTP_ATTEMPTS - failures));
  });

  app.post('/:bank/authorize/consent', HIDDEN, async (request, reply) => {
    const bank = ctx.bank(request);
    const { session, form } = sessionAt(request, bank, 'accounts');
    const at = ctx.now().toISOString();
    const decision = single(form, 'decision');
    if (decision === 'deny') {
      advance({ ...session, step: 'done' }, 'accounts');
      ctx.state.setConsentStatus(session.consentId, 'Rejected', ['AwaitingAuthorisation'], at);
      return redirect(reply, session.redirectUri, { error: 'access_denied', state: session.state });
    }
    if (decision !== 'approve') throw new JourneyError('decision must be approve or deny');

    const accounts = customerOf(bank, session.login!).accounts;
    const chosen = [form.account ?? []].flat();
    if (chosen.some((id) => !accounts.some((a) => a.accountId === id))) throw new JourneyError('An account that was not offered was chosen');
    if (chosen.length === 0) {
      const consent = ctx.state.consent(bank.identifier, session.consentId)!;
      const page = consentPage(pageContext(bank, session, 'consent'), {
        permissions: consent.permissions,
        expiresAt: consent.expiresAt,
        accounts,
        selected: new Set(),
        error: 'noAccounts',
      });
      return html(reply, page);
    }
    advance({ ...session, step: 'done' }, 'accounts');
    const accountIds = accounts.map((a) => a.accountId).filter((id) => chosen.includes(id));
    if (!ctx.state.authoriseConsent(session.consentId, session.login!, accountIds, at)) {
      throw new JourneyError('The consent can no longer be authorised (it was revoked or already used).', 409);
    }
    const code = ctx.state.createCode({
      bank: bank.identifier,
      consentId: session.consentId,
      redirectUri: session.redirectUri,
      codeChallenge: session.codeChallenge,
      scope: session.scope,
      expiresAtMs: ctx.now().getTime() + CODE_TTL_MS,
    });
    return redirect(reply, session.redirectUri, { code, state: session.state });
  });
}

/** The bank's name for the error page, or a neutral one when the bank itself is unknown. */
function bankNameOf(ctx: SandboxContext, request: FastifyRequest): string {
  try {
    return ctx.bank(request).name;
  } catch {
    return 'Sandbox bank';
  }
}
