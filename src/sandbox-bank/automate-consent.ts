import { MAX_OTP_ATTEMPTS, SANDBOX_OTP } from './pages.ts';

/**
 * Drives a sandbox bank's consent journey the way a user's browser would, over real HTTP: open
 * the authorization URL, sign in, enter the one-time code, choose accounts, allow or deny. For
 * sandbox shortcuts (`POST /sandbox/v1/entities`) and tests; it knows only the pages' markup.
 */

export interface ApproveOptions {
  /** The sandbox user to sign in as; it picks the customer data. */
  login: string;
  /** Any non-empty password works; `sandbox` by default. */
  password?: string;
  /** `123456` (the right one) by default; a wrong one is tried until the bank ends the journey. */
  otp?: string;
  /** The accounts to share; all offered by default. */
  accountIds?: string[];
  deny?: boolean;
}

interface Form {
  action: string;
  fields: Record<string, string>;
  /** Values of the account checkboxes, in page order. */
  accounts: string[];
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function unescapeHtml(text: string): string {
  return text.replace(/&(#\d+|#x[0-9a-f]+|\w+);/gi, (whole, entity: string) => {
    if (entity[0] === '#') return String.fromCodePoint(entity[1] === 'x' || entity[1] === 'X' ? parseInt(entity.slice(2), 16) : Number(entity.slice(1)));
    return ENTITIES[entity] ?? whole;
  });
}

function attributes(tag: string): Record<string, string> {
  const attrs: Record<string, string> = {};
  for (const m of tag.matchAll(/([a-zA-Z_:][-\w:.]*)(?:\s*=\s*"([^"]*)")?/g)) attrs[m[1]!.toLowerCase()] = unescapeHtml(m[2] ?? '');
  return attrs;
}

function formOf(html: string, pageUrl: string): Form | null {
  const open = /<form\b([^>]*)>/i.exec(html);
  if (!open) return null;
  const body = html.slice(open.index, html.indexOf('</form>', open.index));
  const fields: Record<string, string> = {};
  const accounts: string[] = [];
  for (const m of body.matchAll(/<input\b([^>]*)>/gi)) {
    const a = attributes(m[1]!);
    if (a.type === 'hidden' && a.name) fields[a.name] = a.value ?? '';
    if (a.type === 'checkbox' && a.name === 'account' && a.value) accounts.push(a.value);
  }
  return { action: new URL(attributes(open[1]!).action ?? '', pageUrl).toString(), fields, accounts };
}

function pageError(html: string): string {
  const m = /data-testid="error-message"[^>]*>([^<]*)</.exec(html);
  return m ? unescapeHtml(m[1]!) : html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 300);
}

/**
 * Runs the journey behind `authorizeUrl` and returns where the bank finally redirects: the
 * `redirect_uri` with `code` and `state`, or with `error` (`access_denied` when denied or after
 * three wrong codes). Throws when the bank shows an error page instead.
 *
 * `await approveConsent(authorizeUrl, { login: 'user1' })` → `https://app.example/cb?code=…&state=…`
 */
export async function approveConsent(authorizeUrl: string, options: ApproveOptions): Promise<string> {
  type Step = { location: string } | { html: string; url: string };
  const visit = async (url: string, body?: Record<string, string | string[]>): Promise<Step> => {
    let payload: URLSearchParams | undefined;
    if (body) {
      payload = new URLSearchParams();
      for (const [name, value] of Object.entries(body)) for (const v of [value].flat()) payload.append(name, v);
    }
    const res = await fetch(url, body ? { method: 'POST', body: payload, redirect: 'manual' } : { redirect: 'manual' });
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location) {
      await res.body?.cancel();
      return { location: new URL(location, url).toString() };
    }
    const html = await res.text();
    if (res.status !== 200) throw new Error(`The sandbox bank refused the consent journey (${res.status}): ${pageError(html)}`);
    return { html, url };
  };
  const formIn = (step: { html: string; url: string }, what: string): Form => {
    const form = formOf(step.html, step.url);
    if (!form) throw new Error(`The sandbox bank's ${what} page has no form: ${pageError(step.html)}`);
    return form;
  };

  let step = await visit(authorizeUrl);
  if ('location' in step) return step.location;
  const login = formIn(step, 'sign-in');
  step = await visit(login.action, { ...login.fields, username: options.login, password: options.password ?? 'sandbox' });
  if ('location' in step) return step.location;

  // A wrong code shows the page again, until the bank gives up and redirects.
  for (let attempt = 0; attempt < MAX_OTP_ATTEMPTS && 'html' in step && step.html.includes('name="otp"'); attempt++) {
    const otp = formIn(step, 'one-time code');
    step = await visit(otp.action, { ...otp.fields, otp: options.otp ?? SANDBOX_OTP });
  }
  if ('location' in step) return step.location;

  const consent = formIn(step, 'consent');
  if (consent.accounts.length === 0) throw new Error(`The sandbox bank offered no accounts to share: ${pageError(step.html)}`);
  const accounts = options.accountIds ?? consent.accounts;
  step = await visit(consent.action, { ...consent.fields, account: accounts, decision: options.deny ? 'deny' : 'approve' });
  if ('location' in step) return step.location;
  throw new Error(`The sandbox bank did not redirect after the decision: ${pageError(step.html)}`);
}
