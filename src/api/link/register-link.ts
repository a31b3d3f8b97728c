import type { FastifyError } from 'fastify';
import type { Api } from '../api.ts';
import type { AppContext } from '../../context.ts';
import { returnUrl } from '../../link/result.ts';
import { outcomePage, type LinkResultMessage } from '../../link/pages.ts';
import { LinkError, type LinkReason, type ReturnTarget } from '../../link/reasons.ts';
import { describeIssue, type ValidationIssue } from '../error-handler.ts';
import { registerCallback } from './callback.ts';
import { registerJourneyPages } from './journey-pages.ts';
import { registerOpenJourney } from './open-journey.ts';
import { languageOf, sendPage } from './page-reply.ts';
import { registerSdk } from './sdk.ts';

/**
 * The hosted consent journey under /link: HTML pages, so errors are pages too (in the journey's
 * language), never problem+json; none of it is in the OpenAPI document.
 */
export async function registerLink(app: Api, ctx: AppContext): Promise<void> {
  await app.register(
    async (scope) => {
      scope.addHook('onRequest', (_request, reply, done) => {
        // The first page carries the customer token in its URL: no page may pass it on or be framed.
        reply.headers({ 'cache-control': 'no-store', 'referrer-policy': 'no-referrer', 'x-frame-options': 'DENY', 'x-content-type-options': 'nosniff' });
        done();
      });

      scope.setErrorHandler((error: FastifyError, request, reply) => {
        let status = 500;
        let reason: LinkReason = 'INTERNAL_ERROR';
        let detail = 'The server could not complete the request';
        let target: ReturnTarget | null = null;
        if (error instanceof LinkError) {
          ({ status, reason, target } = error);
          detail = error.message;
        } else if (error.validation && error.validation.length > 0) {
          status = 400;
          reason = 'INVALID_REQUEST';
          detail = describeIssue(error.validationContext ?? 'request', error.validation[0] as ValidationIssue).detail;
        } else if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
          status = error.statusCode;
          reason = 'INVALID_REQUEST';
          detail = error.message;
        } else {
          request.log.error({ err: error }, 'Link page failed');
        }
        const result: LinkResultMessage = { source: 'openlean-link', status: 'ERROR', entity_id: null, customer_id: null, reason };
        return sendPage(reply, status, (nonce) =>
          outcomePage({
            lang: languageOf(request),
            appName: null,
            nonce,
            kind: 'error',
            mode: 'connect',
            reason,
            detail,
            returnUrl: target?.redirectUri ? returnUrl(target.redirectUri, result) : null,
            notify: target?.origin ? { origin: target.origin, message: result } : null,
          }),
        );
      });

      scope.setNotFoundHandler((request) => {
        throw new LinkError(404, 'INVALID_REQUEST', `No page ${request.method} ${request.url.split('?')[0]}`);
      });

      registerOpenJourney(scope, ctx);
      registerJourneyPages(scope, ctx);
      registerCallback(scope, ctx);
      registerSdk(scope);
    },
    { prefix: '/link' },
  );
}
