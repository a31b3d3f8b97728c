import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isLanguage, type Language } from '../../domain/language.ts';

/**
 * Scripts and styles run only with this response's nonce. No `form-action`: the review page's
 * form is answered with a redirect to the bank's authorization endpoint, whose origin is the
 * bank's, and browsers hold form redirects to that directive too.
 */
const csp = (nonce: string) =>
  `default-src 'none'; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}'; img-src data:; base-uri 'none'; frame-ancestors 'none'`;

export function sendPage(reply: FastifyReply, status: number, render: (nonce: string) => string) {
  const nonce = randomBytes(16).toString('base64');
  return reply.code(status).type('text/html; charset=utf-8').header('content-security-policy', csp(nonce)).send(render(nonce));
}

export function seeOther(reply: FastifyReply, location: string) {
  return reply.code(303).header('location', location).send();
}

/** The language a request's error page is in: its journey's, once known, else the `language` parameter's. */
const languages = new WeakMap<FastifyRequest, Language>();

export function setLanguage(request: FastifyRequest, language: Language): void {
  languages.set(request, language);
}

export function languageOf(request: FastifyRequest): Language {
  const { query } = request;
  const given = typeof query === 'object' && query !== null && 'language' in query ? query.language : undefined;
  return languages.get(request) ?? (isLanguage(given) ? given : 'en');
}

export const journeyPath = (id: string) => `/link/journey/${id}`;
