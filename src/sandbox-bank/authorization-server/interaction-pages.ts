import { pathParam, queryParam } from '../request-parts.ts';
import type Provider from 'oidc-provider';
import type { Interaction } from 'oidc-provider';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SandboxBank, SandboxContext } from '../context.ts';
import { JourneyError, ObieError } from '../errors.ts';
import { formOf, type Form } from '../form.ts';
import { HIDDEN } from '../hidden.ts';
import { consentPage, errorPage, loginPage, MAX_OTP_ATTEMPTS, otpPage, pickLocale, SANDBOX_OTP, type Locale, type PageContext } from '../pages.ts';
import type { Journey, JourneyStep } from '../state.ts';
import { approve, consentOf, deny, otpFailed } from './interaction.ts';
import { INTERACTION_TTL_SECONDS } from './provider.ts';
import type { ProviderRegistry } from './providers.ts';

/**
 * The interaction as the user sees it, on the bank's own pages: sign in, one-time code, choose
 * accounts, allow or deny. oidc-provider sends the browser to `{prefix}/{BANK}/interaction/{uid}`
 * with an interaction cookie; each form posts back under that URL, so the cookie goes with it and
 * `interactionDetails` proves the browser is the one that started the request. The step reached
 * is kept in the bank's state (journeys), so a page cannot be skipped or replayed.
 */

const SECURITY_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
};
const MAX_PARAM = 2048;

const html = (reply: FastifyReply, page: string, status = 200) => reply.code(status).headers(SECURITY_HEADERS).send(page);
const seeOther = (reply: FastifyReply, location: string) => reply.code(303).header('cache-control', 'no-store').header('location', location).send();

function single(source: Form, name: string): string | undefined {
  const value = source[name];
  if (Array.isArray(value)) throw new JourneyError(`${name} is repeated`);
  if (value !== undefined && value.length > MAX_PARAM) throw new JourneyError(`${name} is too long`);
  return value;
}

interface Step {
  bank: SandboxBank;
  provider: Provider;
  interaction: Interaction;
  journey: Journey;
  locale: Locale;
  page: (step: string) => PageContext;
}

export function registerInteractionPages(app: FastifyInstance, ctx: SandboxContext, providers: ProviderRegistry): void {
  app.setErrorHandler((error, request, reply) => {
    const locale = pickLocale(queryParam(request, 'ui_locales'));
    const bankName = bankNameOf(ctx, request);
    if (error instanceof JourneyError || error instanceof ObieError) return html(reply, errorPage(locale, bankName, error.message), error.status);
    const status = (error as { statusCode?: number }).statusCode;
    if (status && status >= 400 && status < 500) return html(reply, errorPage(locale, bankName, (error as Error).message), status);
    request.log.error({ err: error }, 'sandbox bank interaction failed');
    return html(reply, errorPage(locale, bankName, 'The bank failed. Try again.'), 500);
  });

  /** The interaction of this browser (its cookie), at the step the page is for. */
  const stepOf = async (request: FastifyRequest, reply: FastifyReply, expected: JourneyStep | null): Promise<Step> => {
    const bank = ctx.bank(request);
    const built = providers.get(bank);
    if (!built) throw new JourneyError(`openlean has no registration at ${bank.name}`);
    const uid = pathParam(request, 'uid');
    let interaction: Interaction;
    try {
      interaction = await built.provider.interactionDetails(request.raw, reply.raw);
    } catch {
      throw new JourneyError('This sign-in is unknown or has expired. Start again from the application.');
    }
    if (interaction.uid !== uid) throw new JourneyError('This sign-in is unknown or has expired. Start again from the application.');
    const journey = ctx.state.journey(bank.identifier, uid, ctx.now().getTime(), INTERACTION_TTL_SECONDS * 1000);
    if (!journey) throw new JourneyError('This sign-in is unknown or has expired. Start again from the application.');
    if (expected && journey.step !== expected) throw new JourneyError('This step of the sign-in is already done. Start again from the application.', 409);
    const locale = pickLocale(interaction.params.ui_locales);
    const page = (step: string): PageContext => ({
      locale,
      bankName: bank.name,
      clientName: String(interaction.params.client_id),
      action: `${ctx.prefix}/${bank.identifier}/interaction/${uid}/${step}`,
    });
    return { bank, provider: built.provider, interaction, journey, locale, page };
  };

  /** Moves the journey on; another submission of the same page that got there first wins. */
  const advance = (journey: Journey, from: JourneyStep) => {
    if (!ctx.state.updateJourney(journey, from)) throw new JourneyError('This step of the sign-in is already done. Start again from the application.', 409);
  };

  const accountsOf = (bank: SandboxBank, login: string) =>
    ctx.customers.get(bank, login, ctx.state.user(bank.identifier, login).profile, ctx.now().getTime()).customer.accounts;

  const accountsPage = (s: Step, selected: Set<string>, error: 'noAccounts' | null) => {
    const consent = consentOf(ctx, s.bank, s.interaction);
    const accounts = accountsOf(s.bank, s.journey.login!);
    return consentPage(s.page('consent'), { permissions: consent.permissions, expiresAt: consent.expiresAt, accounts, selected: error ? selected : new Set(accounts.map((a) => a.accountId)), error });
  };

  app.get('/:bank/interaction/:uid', HIDDEN, async (request, reply) => {
    const s = await stepOf(request, reply, null);
    consentOf(ctx, s.bank, s.interaction);
    if (s.journey.step === 'otp') return html(reply, otpPage(s.page('otp')));
    if (s.journey.step === 'accounts') return html(reply, accountsPage(s, new Set(), null));
    if (s.journey.step === 'done') throw new JourneyError('This sign-in is already done. Start again from the application.', 409);
    return html(reply, loginPage(s.page('login')));
  });

  app.post('/:bank/interaction/:uid/login', HIDDEN, async (request, reply) => {
    const s = await stepOf(request, reply, 'login');
    const form = formOf(request.body);
    const username = single(form, 'username')?.trim() ?? '';
    const password = single(form, 'password') ?? '';
    if (!username || username.length > 100 || !password) return html(reply, loginPage(s.page('login'), 'missingCredentials'));
    advance({ ...s.journey, step: 'otp', login: username }, 'login');
    return html(reply, otpPage(s.page('otp')));
  });

  app.post('/:bank/interaction/:uid/otp', HIDDEN, async (request, reply) => {
    const s = await stepOf(request, reply, 'otp');
    if ((single(formOf(request.body), 'otp') ?? '').trim() === SANDBOX_OTP) {
      advance({ ...s.journey, step: 'accounts' }, 'otp');
      return html(reply, accountsPage({ ...s, journey: { ...s.journey, step: 'accounts' } }, new Set(), null));
    }
    const failures = s.journey.otpFailures + 1;
    if (failures >= MAX_OTP_ATTEMPTS) {
      advance({ ...s.journey, step: 'done', otpFailures: failures }, 'otp');
      return seeOther(reply, await otpFailed(s.interaction));
    }
    advance({ ...s.journey, otpFailures: failures }, 'otp');
    return html(reply, otpPage(s.page('otp'), MAX_OTP_ATTEMPTS - failures));
  });

  app.post('/:bank/interaction/:uid/consent', HIDDEN, async (request, reply) => {
    const s = await stepOf(request, reply, 'accounts');
    const form = formOf(request.body);
    const decision = single(form, 'decision');
    if (decision === 'deny') {
      advance({ ...s.journey, step: 'done' }, 'accounts');
      return seeOther(reply, await deny(ctx, s.bank, s.interaction));
    }
    if (decision !== 'approve') throw new JourneyError('decision must be approve or deny');
    const accounts = accountsOf(s.bank, s.journey.login!);
    const chosen = [form.account ?? []].flat();
    if (chosen.some((id) => !accounts.some((a) => a.accountId === id))) throw new JourneyError('An account that was not offered was chosen');
    if (chosen.length === 0) return html(reply, accountsPage(s, new Set(), 'noAccounts'));
    advance({ ...s.journey, step: 'done' }, 'accounts');
    const accountIds = accounts.map((a) => a.accountId).filter((id) => chosen.includes(id));
    return seeOther(reply, await approve(ctx, s.bank, s.provider, s.interaction, s.journey.login!, accountIds));
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
