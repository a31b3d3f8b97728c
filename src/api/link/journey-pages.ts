import type { FastifyReply, FastifyRequest } from 'fastify';
import Type from 'typebox';
import type { Api } from '../api.ts';
import type { AppContext } from '../../context.ts';
import { consentExpiryFrom, failJourney, isExpired, sendToBank } from '../../link/journey.ts';
import { bankListPage, outcomePage, reviewPage } from '../../link/pages.ts';
import { LinkError } from '../../link/reasons.ts';
import { resultOf, returnUrl } from '../../link/result.ts';
import { getApplication } from '../../store/applications.ts';
import { getLinkSession } from '../../store/link-sessions.ts';
import type { LinkSessionRow } from '../../store/schema.ts';
import { bankFor, banksFor } from './journey-input.ts';
import { journeyPath, seeOther, sendPage, setLanguage } from './page-reply.ts';

/** The name of the application the user is connecting for, shown on the pages. */
const appNameOf = async (ctx: AppContext, appId: string) => (await getApplication(ctx.store.read, appId))?.name ?? null;

const Params = Type.Object({ journey_id: Type.String({ pattern: '^[A-Za-z0-9_-]{43}$' }) });
const BankChoice = Type.Object({ bank_identifier: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })) }, { additionalProperties: false });

interface Loaded {
  session: LinkSessionRow;
  /** Completed or failed: only its result is left to show. */
  settled: boolean;
}

/**
 * The journey's pages between its entry and the bank: bank list, review, and the forms that send
 * the user to the bank or cancel; and its last page, the result. Each finds its journey by the
 * id in the path, and a journey that already ended or expired goes to its result.
 */
export function registerJourneyPages(app: Api, ctx: AppContext): void {
  /** The journey, still going (open or at the bank); otherwise its result is where the user belongs. */
  async function load(request: FastifyRequest & { params: Type.Static<typeof Params> }): Promise<Loaded> {
    const { journey_id } = request.params;
    const session = await getLinkSession(ctx.store.db, journey_id);
    if (!session) throw new LinkError(404, 'STATE_INVALID', 'This journey does not exist');
    setLanguage(request, session.language);
    if (session.status === 'completed' || session.status === 'failed') return { session, settled: true };
    if (session.status === 'returned') throw new LinkError(409, 'STATE_INVALID', 'This journey is being completed');
    if (isExpired(ctx, session)) return { session: (await failJourney(ctx, session, 'STATE_INVALID')) ?? session, settled: true };
    return { session, settled: false };
  }

  const toResult = (reply: FastifyReply, session: LinkSessionRow) => seeOther(reply, `${journeyPath(session.id)}/result`);

  /** The bank the user is connecting to: the one the link (or entity) fixed, else the one chosen. */
  function chosenBank(session: LinkSessionRow, choice: string | undefined) {
    if (session.bank_fixed && choice !== undefined && choice !== session.bank_identifier) {
      throw new LinkError(400, 'INVALID_REQUEST', `This journey is for ${session.bank_identifier}`);
    }
    const identifier = session.bank_fixed ? session.bank_identifier : choice;
    return identifier ? bankFor(ctx, identifier, session.permissions) : null;
  }

  app.get('/journey/:journey_id', { schema: { hide: true, params: Params, querystring: BankChoice } }, async (request, reply) => {
    const { session, settled } = await load(request);
    if (settled) return toResult(reply, session);
    const { bank_identifier } = request.query;
    const bank = chosenBank(session, bank_identifier);
    const frame = { lang: session.language, appName: await appNameOf(ctx, session.app_id) };
    const path = journeyPath(session.id);
    if (!bank) {
      return sendPage(reply, 200, (nonce) =>
        bankListPage({ ...frame, nonce, banks: banksFor(ctx, session.permissions), journeyPath: path, cancelAction: `${path}/cancel` }),
      );
    }
    return sendPage(reply, 200, (nonce) =>
      reviewPage({
        ...frame,
        nonce,
        mode: session.mode,
        bank,
        permissions: session.permissions,
        consentExpiresAt: consentExpiryFrom(ctx.now()),
        startAction: `${path}/start`,
        cancelAction: `${path}/cancel`,
        changeBankHref: session.bank_fixed ? null : path,
      }),
    );
  });

  app.post('/journey/:journey_id/start', { schema: { hide: true, params: Params, body: BankChoice } }, async (request, reply) => {
    const { session, settled } = await load(request);
    if (settled) return toResult(reply, session);
    const bank = chosenBank(session, request.body.bank_identifier);
    if (!bank) throw new LinkError(400, 'INVALID_REQUEST', 'Choose a bank first (bank_identifier)');
    const authorizeUrl = await sendToBank(ctx, session, bank);
    return authorizeUrl ? seeOther(reply, authorizeUrl) : toResult(reply, session);
  });

  app.post('/journey/:journey_id/cancel', { schema: { hide: true, params: Params } }, async (request, reply) => {
    const { session, settled } = await load(request);
    if (!settled) await failJourney(ctx, session, 'CANCELLED');
    return toResult(reply, session);
  });

  app.get('/journey/:journey_id/result', { schema: { hide: true, params: Params } }, async (request, reply) => {
    const { session, settled } = await load(request);
    if (!settled) return seeOther(reply, journeyPath(session.id));
    const result = resultOf(session);
    const appName = await appNameOf(ctx, session.app_id);
    return sendPage(reply, 200, (nonce) =>
      outcomePage({
        lang: session.language,
        appName,
        nonce,
        kind: result.status === 'SUCCESS' ? 'success' : 'failure',
        mode: session.mode,
        reason: result.reason,
        returnUrl: session.redirect_uri ? returnUrl(session.redirect_uri, result) : null,
        notify: session.origin ? { origin: session.origin, message: result } : null,
      }),
    );
  });
}
