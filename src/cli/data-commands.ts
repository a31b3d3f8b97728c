import { Command } from 'commander';
import {
  createOpenleanClient,
  DataPendingError,
  ProblemError,
  TokenError,
  UnexpectedResponseError,
  type OpenleanClient,
  type Refresh,
  type Transaction,
} from '../../clients/typescript/src/index.ts';
import { ConfigError } from '../errors/config-error.ts';
import { table } from './table.ts';

/**
 * `openlean data accounts|transactions` and `openlean refresh`: reads of a running openlean,
 * through the typed client (clients/typescript), as an application would make them. Credentials
 * from the environment: OPENLEAN_URL (default http://localhost:3000), OPENLEAN_CLIENT_ID,
 * OPENLEAN_CLIENT_SECRET (an application's, as `openlean apps create` prints them).
 */
export function registerDataCommands(program: Command): void {
  const data = program.command('data').description('read an entity\'s bank data from a running openlean (env OPENLEAN_URL, OPENLEAN_CLIENT_ID, OPENLEAN_CLIENT_SECRET)');
  data
    .command('accounts')
    .description('the accounts of an entity')
    .requiredOption('--entity <entity_id>', 'the entity (a consented bank connection)')
    .option('--json', 'print the API\'s JSON instead of a table')
    .action(reporting(async (flags: { entity: string; json?: boolean }) => {
      const accounts = await clientFromEnv().accounts(flags.entity);
      if (flags.json) return json(accounts);
      process.stdout.write(
        table(
          ['ACCOUNT_ID', 'NAME', 'TYPE', 'CURRENCY', 'IBAN', 'STATUS'],
          accounts.map((a) => [a.account_id, a.nickname ?? a.name, a.type, a.currency, a.iban ?? a.account_number ?? '', a.status]),
        ),
      );
    }));
  data
    .command('transactions')
    .description('the transactions of an account, newest first, every page')
    .requiredOption('--entity <entity_id>', 'the entity (a consented bank connection)')
    .requiredOption('--account <account_id>', 'an account_id of `openlean data accounts`')
    .option('--from <date>', 'first booking date to include, YYYY-MM-DD')
    .option('--to <date>', 'last booking date to include, YYYY-MM-DD')
    .option('--json', 'print the API\'s JSON (one array) instead of a table')
    .action(reporting(async (flags: { entity: string; account: string; from?: string; to?: string; json?: boolean }) => {
      for (const [flag, value] of [['--from', flags.from], ['--to', flags.to]] as const) {
        if (value !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(value)) throw new ConfigError(`${flag} must be a date YYYY-MM-DD, got ${JSON.stringify(value)}`);
      }
      const all: Transaction[] = [];
      const query = { size: 1000, ...(flags.from ? { from: flags.from } : {}), ...(flags.to ? { to: flags.to } : {}) };
      for await (const t of clientFromEnv().allTransactions(flags.entity, flags.account, query)) all.push(t);
      if (flags.json) return json(all);
      process.stdout.write(
        table(
          ['DATE', 'STATUS', 'AMOUNT', 'CURRENCY', 'DESCRIPTION'],
          all.map((t) => [t.timestamp.slice(0, 16).replace('T', ' '), t.booking_status, signed(t), t.amount.currency, t.description]),
        ) + `${all.length} transaction${all.length === 1 ? '' : 's'}\n`,
      );
    }));

  program
    .command('refresh')
    .description('fetch an entity\'s data from its bank now (counts against the daily limit); --wait follows it to the end')
    .requiredOption('--entity <entity_id>', 'the entity (a consented bank connection)')
    .option('--wait', 'follow the refresh until it finishes or fails, printing its progress; exit 1 if it failed')
    .option('--poll-ms <ms>', 'with --wait, how often to read its status', '1000')
    .option('--timeout <seconds>', 'with --wait, stop waiting after this many seconds (exit 1; the refresh goes on): a bank\'s quota can make a refresh wait for hours')
    .option('--json', 'print the refresh as JSON (with --wait, as it ended)')
    .action(reporting(async (flags: { entity: string; wait?: boolean; pollMs: string; timeout?: string; json?: boolean }) => {
      const pollMs = Number(flags.pollMs);
      if (!Number.isInteger(pollMs) || pollMs < 10 || pollMs > 60_000) throw new ConfigError(`--poll-ms must be an integer between 10 and 60000, got ${JSON.stringify(flags.pollMs)}`);
      const timeout = flags.timeout === undefined ? undefined : Number(flags.timeout);
      if (timeout !== undefined && !(Number.isInteger(timeout) && timeout >= 0 && timeout <= 604_800)) {
        throw new ConfigError(`--timeout must be a whole number of seconds between 0 and 604800, got ${JSON.stringify(flags.timeout)}`);
      }
      const client = clientFromEnv();
      const started = await client.refresh(flags.entity);
      if (!flags.wait) return flags.json ? json(started) : void process.stdout.write(`refresh ${started.refresh_id} ${started.status}\n`);
      let last: Refresh = started;
      const onProgress = (r: Refresh) => {
        last = r;
        // Progress goes to standard error, so that standard output holds only the result.
        process.stderr.write(`${progress(r)}\n`);
      };
      const signal = timeout === undefined ? undefined : AbortSignal.timeout(timeout * 1000);
      let done: Refresh;
      try {
        done = await client.waitForRefresh(flags.entity, started.refresh_id, { intervalMs: pollMs, onProgress, ...(signal ? { signal } : {}) });
      } catch (err) {
        if (!signal?.aborted || err !== signal.reason) throw err;
        process.stderr.write(`openlean: refresh ${last.refresh_id} still ${last.status} after ${timeout} s; it goes on (see GET /data/v2/refreshes/${last.refresh_id})\n`);
        process.exitCode = 1;
        return;
      }
      if (flags.json) json(done);
      else process.stdout.write(`refresh ${done.refresh_id} ${done.status}${done.error ? `: ${done.error.code} ${done.error.detail}` : ''}\n`);
      if (done.status === 'FAILED') process.exitCode = 1;
    }));
}

/** The client of the openlean named by the environment. */
function clientFromEnv(): OpenleanClient {
  const baseUrl = process.env.OPENLEAN_URL || 'http://localhost:3000';
  const clientId = process.env.OPENLEAN_CLIENT_ID;
  const clientSecret = process.env.OPENLEAN_CLIENT_SECRET;
  if (!clientId || !clientSecret) throw new ConfigError('set OPENLEAN_CLIENT_ID and OPENLEAN_CLIENT_SECRET to an application\'s credentials (openlean apps create), and OPENLEAN_URL unless it is http://localhost:3000');
  try {
    new URL(baseUrl);
  } catch {
    throw new ConfigError(`OPENLEAN_URL must be an absolute URL, got ${JSON.stringify(baseUrl)}`);
  }
  return createOpenleanClient({ baseUrl, clientId, clientSecret });
}

/**
 * The action, with what the server refused printed as one line (its stable code, and the request
 * id to quote to the operator) and exit code 1, instead of a stack trace.
 */
function reporting<A extends unknown[]>(action: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args) => {
    try {
      await action(...args);
    } catch (err) {
      if (err instanceof ProblemError) process.stderr.write(`openlean: ${err.code}: ${err.detail}${err.param ? ` (${err.param})` : ''} [request ${err.request_id}]\n`);
      else if (err instanceof TokenError) process.stderr.write(`openlean: the server refused OPENLEAN_CLIENT_ID/OPENLEAN_CLIENT_SECRET: ${err.error}${err.error_description ? ` (${err.error_description})` : ''}\n`);
      else if (err instanceof DataPendingError) process.stderr.write(`openlean: ${err.message}; try again when it has finished\n`);
      else if (err instanceof UnexpectedResponseError) process.stderr.write(`openlean: ${err.message}\n`);
      else if (err instanceof TypeError && (err.cause as NodeJS.ErrnoException | undefined)?.code) process.stderr.write(`openlean: cannot reach ${process.env.OPENLEAN_URL || 'http://localhost:3000'} (${(err.cause as NodeJS.ErrnoException).code})\n`);
      else throw err;
      process.exitCode = 1;
    }
  };
}

const json = (value: unknown) => void process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);

/** One line of a refresh's progress: its status, attempt, and each resource's state and records. */
export function progress(r: Refresh): string {
  const resources = r.resources.map((x) => `${x.resource} ${x.status}${x.records !== null ? ` ${x.records}` : ''}`).join(', ');
  const attempt = r.attempts > 1 ? ` attempt ${r.attempts}` : '';
  const retry = r.next_attempt_at ? `, next attempt at ${r.next_attempt_at}` : '';
  return `${r.status}${attempt}${retry}${resources ? `: ${resources}` : ''}`;
}

/**
 * The amount signed by its direction (a debit negative), with the currency's minor digits
 * (ISO 4217, as Intl knows them): padded, never rounded, so the figure stays the exact one.
 */
export function signed(t: Pick<Transaction, 'amount' | 'credit_debit_indicator'>): string {
  const digits = new Intl.NumberFormat('en', { style: 'currency', currency: t.amount.currency }).resolvedOptions().maximumFractionDigits ?? 2;
  const [whole, fraction = ''] = String(Math.abs(t.amount.amount)).split('.');
  const text = digits > 0 || fraction ? `${whole}.${fraction.padEnd(digits, '0')}` : whole!;
  return `${t.credit_debit_indicator === 'DEBIT' ? '-' : ''}${text}`;
}
