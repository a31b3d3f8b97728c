import type { BankDefinition } from '../banks/bank.ts';
import type { Permission } from '../domain/permissions.ts';
import { html, raw, scriptJson, type Html } from './html.ts';
import type { Language } from '../domain/language.ts';
import { formatDate, t } from './messages.ts';
import type { LinkReason } from './reasons.ts';

/**
 * The Link pages: server-rendered, self-contained (inline CSS and two tiny scripts, allowed by a
 * per-response nonce; no external assets), a few KB each. `data-testid`s and `data-page` are
 * stable hooks for browser tests.
 */

const CSS = `*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Tahoma,"Noto Naskh Arabic",sans-serif;background:#eef1f6;color:#17202c}
main{max-width:30rem;margin:1.5rem auto;background:#fff;border-radius:14px;padding:1.5rem 1.75rem;box-shadow:0 2px 10px rgba(0,0,0,.07)}
header{display:flex;justify-content:space-between;gap:1rem;font-size:.85rem;color:#56616f;margin-bottom:1rem}header strong{color:#17202c}
h1{font-size:1.35rem;margin:0 0 .75rem}p{margin:.5rem 0}small{color:#56616f}
ul.banks,ul.perms{list-style:none;padding:0;margin:.75rem 0}
a.bank{display:flex;align-items:center;gap:.75rem;padding:.6rem .75rem;border:1px solid #d9dfe7;border-radius:10px;margin:.4rem 0;color:inherit;text-decoration:none}
a.bank:hover,a.bank:focus{border-color:#1f5fbf;background:#f5f8fd}a.bank img{width:36px;height:36px;border-radius:8px}a.bank span{display:flex;flex-direction:column}
ul.perms li{padding:.5rem 0;border-bottom:1px solid #eef1f6}ul.perms li strong{display:block}
label{display:block;font-weight:500;margin:.5rem 0 .25rem}input[type=search]{width:100%;padding:.6rem;border:1px solid #b9c3d0;border-radius:8px;font:inherit}
.actions{display:flex;gap:.75rem;flex-wrap:wrap;margin-top:1.25rem}form{margin:0}
button,a.button{font:inherit;display:inline-block;padding:.6rem 1.2rem;border-radius:8px;border:1px solid #1f5fbf;background:#1f5fbf;color:#fff;cursor:pointer;text-decoration:none}
button.secondary{background:#fff;color:#1f5fbf}.note{font-size:.9rem;color:#56616f}
.ok{color:#0f6b3a}.fail{color:#a3261d}.detail{font-size:.85rem;background:#f6f7f9;border-radius:8px;padding:.5rem .75rem;overflow-wrap:anywhere}
[hidden]{display:none!important}`;

/** Shows the search box and filters the bank list as the user types; the list works without it. */
const SEARCH_SCRIPT = `(function(){var box=document.getElementById('bank-search-box'),q=document.getElementById('bank-search'),none=document.getElementById('no-match'),items=document.querySelectorAll('li[data-search]');box.hidden=false;q.addEventListener('input',function(){var v=q.value.trim().toLowerCase(),n=0;items.forEach(function(li){var hit=li.getAttribute('data-search').indexOf(v)>=0;li.hidden=!hit;if(hit)n++;});none.hidden=n>0;});})();`;

/** In the SDK's popup: hand the result to the page that opened it, then close. */
const NOTIFY_SCRIPT = `(function(){var r=JSON.parse(document.getElementById('link-result').textContent);if(window.opener&&!window.opener.closed){window.opener.postMessage(r.message,r.origin);setTimeout(function(){window.close();},1000);}})();`;

export interface PageFrame {
  lang: Language;
  /** The application the user connects for; null when unknown (a broken link). */
  appName: string | null;
  /** The CSP nonce of this response. */
  nonce: string;
}

interface LayoutInput extends PageFrame {
  page: 'bank-list' | 'review' | 'success' | 'failure' | 'error';
  title: string;
  body: Html;
  scripts?: Html;
  /** Sends the browser there after a few seconds, without script. */
  refreshTo?: string | null;
}

function layout(input: LayoutInput): string {
  const { lang, nonce } = input;
  return html`<!doctype html>
<html lang="${lang}" dir="${lang === 'ar' ? 'rtl' : 'ltr'}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="referrer" content="no-referrer">
${input.refreshTo ? html`<meta http-equiv="refresh" content="${`3;url=${input.refreshTo}`}">` : ''}<title>${input.title}</title><style nonce="${nonce}">${raw(CSS)}</style></head>
<body><main data-page="${input.page}" data-testid="link-page">
<header><strong>${input.appName ?? ''}</strong><span>${t(lang, 'secured')}</span></header>
<h1 data-testid="page-title">${input.title}</h1>
${input.body}
</main>${input.scripts ?? ''}</body></html>`.value;
}

const appLabel = (frame: PageFrame) => frame.appName ?? t(frame.lang, 'theApplication');

const cancelForm = (lang: Language, action: string) =>
  html`<form method="post" action="${action}"><button type="submit" class="secondary" data-testid="cancel">${t(lang, 'cancel')}</button></form>`;

export interface BankListInput extends PageFrame {
  banks: readonly BankDefinition[];
  /** The journey page; a bank's link adds `?bank_identifier=`. */
  journeyPath: string;
  cancelAction: string;
}

export function bankListPage(input: BankListInput): string {
  const { lang } = input;
  const regions = new Intl.DisplayNames([lang], { type: 'region' });
  const banks = input.banks.map((bank) => {
    const country = regions.of(bank.country) ?? bank.country;
    // Found by either name, whatever the page's language; shown in the page's.
    const name = lang === 'ar' && bank.name_ar ? bank.name_ar : bank.name;
    const search = `${bank.name} ${bank.name_ar ?? ''} ${bank.identifier} ${country}`.toLowerCase();
    return html`<li data-search="${search}"><a class="bank" href="${`${input.journeyPath}?bank_identifier=${encodeURIComponent(bank.identifier)}`}" data-testid="${`bank-${bank.identifier}`}">
${bank.logo ? html`<img src="${bank.logo}" alt="">` : null}<span>${name}<small>${country}</small></span></a></li>`;
  });
  return layout({
    ...input,
    page: 'bank-list',
    title: t(lang, 'chooseBankTitle'),
    body: html`<p>${t(lang, 'chooseBankIntro', { app: appLabel(input) })}</p>
<div id="bank-search-box" hidden><label for="bank-search">${t(lang, 'searchLabel')}</label><input type="search" id="bank-search" autocomplete="off" data-testid="bank-search"></div>
<ul class="banks" data-testid="bank-list">${banks}</ul>
<p id="no-match" class="note" data-testid="no-match" hidden>${t(lang, 'noBankMatches')}</p>
${input.banks.length === 0 ? html`<p class="note">${t(lang, 'noBanks', { app: appLabel(input) })}</p>` : ''}
<div class="actions">${cancelForm(lang, input.cancelAction)}</div>`,
    scripts: html`<script nonce="${input.nonce}">${raw(SEARCH_SCRIPT)}</script>`,
  });
}

export interface ReviewInput extends PageFrame {
  mode: 'connect' | 'reconnect';
  bank: BankDefinition;
  permissions: readonly Permission[];
  consentExpiresAt: string;
  startAction: string;
  cancelAction: string;
  /** Back to the bank list; null when the bank is fixed. */
  changeBankHref: string | null;
}

export function reviewPage(input: ReviewInput): string {
  const { lang } = input;
  const vars = { app: appLabel(input), bank: lang === 'ar' && input.bank.name_ar ? input.bank.name_ar : input.bank.name };
  const reconnect = input.mode === 'reconnect';
  const perms = input.permissions.map(
    (p) => html`<li data-permission="${p}"><strong>${t(lang, `perm_${p}`)}</strong><small>${t(lang, `perm_${p}_detail`)}</small></li>`,
  );
  return layout({
    ...input,
    page: 'review',
    title: t(lang, reconnect ? 'reconnectTitle' : 'reviewTitle'),
    body: html`<p>${t(lang, reconnect ? 'reconnectIntro' : 'reviewIntro', vars)}</p>
<ul class="perms" data-testid="permissions">${perms}</ul>
<p data-testid="consent-expiry">${t(lang, 'expiry', { date: formatDate(lang, input.consentExpiresAt) })}</p>
<p class="note">${t(lang, 'readOnly')} ${t(lang, 'handOff', vars)}</p>
<div class="actions"><form method="post" action="${input.startAction}"><input type="hidden" name="bank_identifier" value="${input.bank.identifier}">
<button type="submit" data-testid="continue">${t(lang, 'continue', vars)}</button></form>
${cancelForm(lang, input.cancelAction)}</div>
${input.changeBankHref ? html`<p><a href="${input.changeBankHref}" data-testid="change-bank">${t(lang, 'otherBank')}</a></p>` : ''}`,
  });
}

/** What the journey's end tells the page that opened the SDK's popup. */
export interface LinkResultMessage {
  source: 'openlean-link';
  status: 'SUCCESS' | 'ERROR';
  entity_id: string | null;
  customer_id: string | null;
  reason: LinkReason | null;
}

export interface OutcomeInput extends PageFrame {
  /** `error`: the request itself was refused (no journey); `failure`: the journey ended without a connection. */
  kind: 'success' | 'failure' | 'error';
  mode: 'connect' | 'reconnect';
  reason: LinkReason | null;
  /** The caller's `redirect_uri` with the result's parameters (a journey's end goes there after 3 s); null when there is none to go back to. */
  returnUrl: string | null;
  /** Posted to the opener when the page runs in the SDK's popup. */
  notify: { origin: string; message: LinkResultMessage } | null;
  /** For the developer who built the link (English). */
  detail?: string;
}

export function outcomePage(input: OutcomeInput): string {
  const { lang, kind } = input;
  const app = appLabel(input);
  const title =
    kind === 'success' ? t(lang, input.mode === 'reconnect' ? 'successReconnectTitle' : 'successTitle') : t(lang, kind === 'failure' ? 'failureTitle' : 'errorTitle');
  const message = kind === 'success' ? t(lang, 'successIntro', { app }) : t(lang, `reason_${input.reason ?? 'INTERNAL_ERROR'}`);
  // A refused request stays put, so that whoever built the link can read why; a journey's end moves on.
  const moveOn = kind !== 'error' && input.returnUrl !== null;
  const back = input.returnUrl
    ? html`${moveOn ? html`<p class="note">${t(lang, 'redirecting', { app })}</p>` : ''}<div class="actions"><a class="button" href="${input.returnUrl}" data-testid="return-link">${t(lang, 'returnTo', { app })}</a></div>`
    : html`<p class="note">${t(lang, 'closeWindow')}</p>`;
  return layout({
    ...input,
    page: kind,
    title,
    refreshTo: moveOn ? input.returnUrl : null,
    body: html`<p class="${kind === 'success' ? 'ok' : 'fail'}" data-testid="outcome" data-status="${kind === 'success' ? 'SUCCESS' : 'ERROR'}" data-reason="${input.reason ?? ''}">${message}</p>
${input.reason ? html`<p class="note" data-testid="reason">${t(lang, 'reasonCode', { code: input.reason })}</p>` : ''}
${input.detail ? html`<p class="detail" data-testid="detail"><strong>${t(lang, 'developerDetail')}:</strong> <span dir="ltr" lang="en">${input.detail}</span></p>` : ''}
${back}`,
    scripts: input.notify
      ? html`<script type="application/json" id="link-result">${scriptJson(input.notify)}</script><script nonce="${input.nonce}">${raw(NOTIFY_SCRIPT)}</script>`
      : undefined,
  });
}
