/**
 * Authorises a request at a sandbox bank the way a user would, without the pages: open the
 * authorization URL (the bank answers with a redirect to its interaction and sets the interaction
 * cookies), complete the interaction through the control API, then follow the resume URL with
 * those cookies. For sandbox shortcuts (`POST /sandbox/v1/entities`) and tests.
 */

export interface AuthorizeOptions {
  /** The sandbox user to sign in as; it picks the customer data. */
  login: string;
  /** The accounts to share; every account of the login by default. */
  accountIds?: string[];
  deny?: boolean;
  /** `123456` (the right one) unless given; a wrong one ends the request with `otp_failed`. */
  otp?: string;
}

/** Just enough of a cookie jar for one authorization: names and values, every cookie sent back on every request. */
class CookieJar {
  readonly #cookies = new Map<string, string>();

  take(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const pair = line.split(';', 1)[0]!;
      const eq = pair.indexOf('=');
      if (eq > 0) this.#cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
  }

  header(): string {
    return [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

async function refusal(res: Response, what: string): Promise<Error> {
  const text = (await res.text()).replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim();
  return new Error(`The sandbox bank refused ${what} (${res.status}): ${text.slice(0, 400)}`);
}

/**
 * Returns the URL the bank finally redirects to: the `redirect_uri` with `code` and `state` in
 * the query (response type `code`), or in the fragment with the `id_token` (`code id_token`,
 * `#code=…&id_token=…&state=…`), or with `error` (`access_denied`, and `error_description=otp_failed`
 * for a wrong `otp`). Throws when the bank answers with an error page instead.
 *
 * `await authorizeAtSandboxBank(authorizeUrl, { login: 'user1' })` → `https://app.example/cb?code=…&state=…&iss=…`
 */
export async function authorizeAtSandboxBank(authorizeUrl: string, options: AuthorizeOptions): Promise<string> {
  const jar = new CookieJar();
  const opened = await fetch(authorizeUrl, { redirect: 'manual' });
  jar.take(opened);
  const interactionUrl = opened.headers.get('location');
  if (opened.status < 300 || opened.status >= 400 || !interactionUrl) throw await refusal(opened, 'the authorization request');
  await opened.body?.cancel();
  const interaction = new URL(interactionUrl, authorizeUrl);
  // Anywhere but the bank's interaction: the bank answered the client at once (an error it could redirect).
  const m = /^(.*)\/interaction\/([^/]+)$/.exec(interaction.pathname);
  if (!m) return interaction.toString();

  const control = new URL(`${m[1]}/control/interactions/${m[2]}`, interaction);
  const completed = await fetch(control, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      login: options.login,
      decision: options.deny ? 'deny' : 'approve',
      ...(options.accountIds ? { account_ids: options.accountIds } : {}),
      ...(options.otp === undefined ? {} : { otp: options.otp }),
    }),
  });
  if (completed.status !== 200) throw await refusal(completed, 'to complete the interaction');
  const { redirect_to } = (await completed.json()) as { redirect_to: string };

  const resumed = await fetch(new URL(redirect_to, interaction), { redirect: 'manual', headers: { cookie: jar.header() } });
  const location = resumed.headers.get('location');
  if (resumed.status < 300 || resumed.status >= 400 || !location) throw await refusal(resumed, 'to resume the authorization');
  await resumed.body?.cancel();
  return new URL(location, redirect_to).toString();
}
