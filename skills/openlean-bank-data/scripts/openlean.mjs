#!/usr/bin/env node
// The openlean-bank-data skill's helper: each command calls openlean's HTTP API and prints one JSON
// document on stdout. Errors print openlean's problem (its stable `code` first) on stderr and exit 1.
// Needs Node >= 18 (fetch) and nothing else. See ../SKILL.md for what each command prints.
//
// Environment: OPENLEAN_URL (default http://localhost:3000), OPENLEAN_CLIENT_ID, OPENLEAN_CLIENT_SECRET.

const USAGE = `usage: openlean.mjs <command> [arguments]
  find-customer <app_user_id>                   the customer and its entities (bank connections)
  freshness <entity_id> [--max-age-hours N]     how old the entity's data is; stale when older than N hours (default 24)
  refresh <entity_id>                           start a refresh (or join the running one) and wait for it to end
  accounts <entity_id>                          accounts with their balances, and the available total per currency
  transactions <entity_id> <account_id> [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--limit N]
                                                transactions newest first, every page (or the first N)
  identity <entity_id>                          the consenting user as the bank knows them`;

const BASE = (process.env.OPENLEAN_URL || 'http://localhost:3000').replace(/\/+$/, '');

class Problem extends Error {
  constructor(body) {
    super(`${body.code ?? body.error ?? 'ERROR'}: ${body.detail ?? body.error_description ?? JSON.stringify(body)}`);
    this.body = body;
  }
}

let token;
async function accessToken() {
  if (token) return token;
  const { OPENLEAN_CLIENT_ID: id, OPENLEAN_CLIENT_SECRET: secret } = process.env;
  if (!id || !secret) throw new Problem({ code: 'CREDENTIALS_MISSING', detail: 'set OPENLEAN_CLIENT_ID and OPENLEAN_CLIENT_SECRET (an application of the openlean server)' });
  const res = await fetch(`${BASE}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: id, client_secret: secret, scope: 'api' }),
  });
  const body = await res.json();
  if (!res.ok) throw new Problem(body);
  token = body.access_token;
  return token;
}

/** One API call: the parsed body and headers; a problem+json answer throws. */
async function api(path, { method = 'GET', entity } = {}) {
  const headers = { authorization: `Bearer ${await accessToken()}` };
  if (entity) headers.entity_id = entity;
  const res = await fetch(path.startsWith('http') ? path : `${BASE}${path}`, { method, headers });
  const body = res.status === 204 ? null : await res.json();
  if (res.status >= 400) throw new Problem(body);
  return { status: res.status, body, headers: res.headers };
}

/** A data read that may answer 202 while the entity's first refresh runs: waits for that refresh, then reads again. */
async function read(path, entity) {
  const first = await api(path, { entity });
  if (first.status !== 202) return first;
  await waitFor(entity, first.body.refresh_id);
  return api(path, { entity });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(entity, refreshId) {
  for (;;) {
    const { body } = await api(`/data/v2/refreshes/${refreshId}`, { entity });
    if (body.status === 'FINISHED' || body.status === 'FAILED') return body;
    process.stderr.write(`refresh ${refreshId}: ${body.status}\n`);
    await sleep(500);
  }
}

/** ISO 4217 exponents that are not 2 (openlean's own table, src/domain/money.ts). */
const EXPONENTS = { BHD: 3, KWD: 3, OMR: 3, JOD: 3, IQD: 3, LYD: 3, TND: 3, JPY: 0, KRW: 0 };
const exponentOf = (currency) => EXPONENTS[currency] ?? 2;

/** Minor units of an API amount, exactly: the JSON number printed back is the decimal the API sent. */
function minor(amount, currency) {
  const exp = exponentOf(currency);
  const [whole, fraction = ''] = String(Math.abs(amount)).split('.');
  const units = BigInt(whole + fraction.padEnd(exp, '0').slice(0, exp));
  return amount < 0 ? -units : units;
}

function decimal(units, currency) {
  const exp = exponentOf(currency);
  const abs = (units < 0n ? -units : units).toString().padStart(exp + 1, '0');
  const text = exp === 0 ? abs : `${abs.slice(0, -exp)}.${abs.slice(-exp)}`;
  return units < 0n ? `-${text}` : text;
}

const AVAILABLE = ['INTERIM_AVAILABLE', 'CLOSING_AVAILABLE', 'OPENING_AVAILABLE', 'FORWARD_AVAILABLE'];

function option(args, name, fallback) {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
}

const COMMANDS = {
  async 'find-customer'([appUserId]) {
    const { body: customer } = await api(`/customers/v1/app-user-id/${encodeURIComponent(appUserId)}`);
    const { body: entities } = await api(`/customers/v1/${customer.customer_id}/entities`);
    return { customer, entities };
  },

  async freshness([entity, ...rest]) {
    const maxAgeHours = Number(option(rest, '--max-age-hours', '24'));
    const { body: refreshes } = await api('/data/v2/refreshes?size=20', { entity });
    const running = refreshes.find((r) => r.status === 'PENDING' || r.status === 'IN_PROGRESS') ?? null;
    const finished = refreshes.find((r) => r.status === 'FINISHED') ?? null;
    const lastSyncedAt = finished?.finished_at ?? null;
    const ageHours = lastSyncedAt === null ? null : Math.round(((Date.now() - Date.parse(lastSyncedAt)) / 3_600_000) * 100) / 100;
    return {
      entity_id: entity,
      last_synced_at: lastSyncedAt,
      age_hours: ageHours,
      stale: ageHours === null || ageHours > maxAgeHours,
      running_refresh_id: running?.refresh_id ?? null,
      latest_refresh: refreshes[0] ?? null,
    };
  },

  async refresh([entity]) {
    const { body: started } = await api('/data/v2/refreshes', { method: 'POST', entity });
    return { refresh: await waitFor(entity, started.refresh_id) };
  },

  async accounts([entity]) {
    const { body: accounts } = await read('/data/v2/accounts', entity);
    const totals = {};
    const result = [];
    for (const account of accounts) {
      const { body: balances } = await read(`/data/v2/accounts/${encodeURIComponent(account.account_id)}/balances`, entity);
      const available = AVAILABLE.map((type) => balances.find((b) => b.type === type)).find(Boolean) ?? null;
      if (available) {
        const { amount, currency } = available.amount;
        const signed = available.credit_debit_indicator === 'DEBIT' ? -minor(amount, currency) : minor(amount, currency);
        totals[currency] = (totals[currency] ?? 0n) + signed;
      }
      result.push({ ...account, balances });
    }
    return { accounts: result, available_total: Object.fromEntries(Object.entries(totals).map(([currency, units]) => [currency, decimal(units, currency)])) };
  },

  async transactions([entity, accountId, ...rest]) {
    const from = option(rest, '--from');
    const to = option(rest, '--to');
    const limit = option(rest, '--limit') === undefined ? Infinity : Number(option(rest, '--limit'));
    const query = new URLSearchParams({ size: '100' });
    if (from) query.set('start_date', from);
    if (to) query.set('end_date', to);
    let next = `/data/v2/accounts/${encodeURIComponent(accountId)}/transactions?${query}`;
    const transactions = [];
    let total = 0;
    while (next && transactions.length < limit) {
      const page = await read(next, entity);
      total = Number(page.headers.get('x-total-count'));
      transactions.push(...page.body);
      next = /<([^>]*)>;\s*rel="next"/.exec(page.headers.get('link') ?? '')?.[1];
    }
    const kept = transactions.slice(0, limit);
    const flows = {};
    for (const t of kept) {
      const { amount, currency } = t.amount;
      const f = (flows[currency] ??= { in: 0n, out: 0n });
      if (t.credit_debit_indicator === 'CREDIT') f.in += minor(amount, currency);
      else f.out += minor(amount, currency);
    }
    return {
      account_id: accountId,
      total,
      count: kept.length,
      flows: Object.fromEntries(Object.entries(flows).map(([c, f]) => [c, { in: decimal(f.in, c), out: decimal(f.out, c) }])),
      transactions: kept,
    };
  },

  async identity([entity]) {
    return (await read('/data/v2/identity', entity)).body;
  },
};

const [command, ...args] = process.argv.slice(2);
if (!COMMANDS[command] || args.length === 0 || args[0].startsWith('--')) {
  process.stderr.write(`${USAGE}\n`);
  process.exit(2);
}
try {
  process.stdout.write(`${JSON.stringify(await COMMANDS[command](args), null, 2)}\n`);
} catch (err) {
  process.stderr.write(`${err instanceof Problem ? JSON.stringify(err.body) : err.message}\n`);
  process.exit(1);
}
