import type { Bank } from '../api/banks/list-banks.ts';
import type { Customer } from '../api/customers/customer.schema.ts';
import type { Entity } from '../api/entities/entity.schema.ts';
import type { Refresh } from '../api/refreshes/refresh.schema.ts';
import type { Account, Amount, Balance, Transaction } from '../domain/bank-data.ts';
import { formatMinor, toMinor } from '../domain/money.ts';

/*
 * The short text an MCP tool answers beside its structured content: what an agent reads first.
 * Pure; money is summed in integer minor units and printed with the currency's own decimals.
 */

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Minor units of an amount as the API serves it (a JSON number with the currency's decimals). */
function minorOf(amount: Amount): number {
  return toMinor(String(amount.amount), amount.currency);
}

/** `AED 12 345.67`: the currency, then the exact decimal with its thousands separated by spaces. */
export function formatMoney(minor: number, currency: string): string {
  const [whole, fraction] = formatMinor(minor, currency).split('.') as [string, string | undefined];
  const sign = whole.startsWith('-') ? '-' : '';
  const grouped = whole.replace('-', '').replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
  return `${currency} ${sign}${grouped}${fraction === undefined ? '' : `.${fraction}`}`;
}

/** Sums of signed amounts per currency, in minor units, in the order the currencies first appear. */
function totals(items: { amount: Amount; sign: 1 | -1 }[]): Map<string, number> {
  const sums = new Map<string, number>();
  for (const { amount, sign } of items) sums.set(amount.currency, (sums.get(amount.currency) ?? 0) + sign * minorOf(amount));
  return sums;
}

function listTotals(sums: Map<string, number>): string {
  return [...sums].map(([currency, minor]) => formatMoney(minor, currency)).join(' + ');
}

function more(total: number, shown: number, next: { cursor?: string | null; page?: number | null }): string {
  if (next.cursor) return `; ${total - shown} more: call again with cursor "${next.cursor}"`;
  if (next.page !== undefined && next.page !== null) return `; more: call again with page ${next.page}`;
  return '';
}

export function customersSummary(customers: Customer[], total: number, next: { page?: number | null }): string {
  const names = customers.map((c) => `${c.app_user_id} (${c.customer_id})`).join(', ');
  return `${customers.length} of ${plural(total, 'customer')}${names ? `: ${names}` : ''}${more(total, customers.length, next)}`;
}

export function entitiesSummary(entities: Entity[]): string {
  if (entities.length === 0) return 'No entities: the customer has connected no bank';
  return `${plural(entities.length, 'entity', 'entities')}: ${entities
    .map((e) => `${e.id} at ${e.bank_identifier}, ${e.status}, last refreshed ${e.last_synced_at ?? 'never'}`)
    .join('; ')}`;
}

export function banksSummary(banks: Bank[]): string {
  return `${plural(banks.length, 'bank')}${banks.length ? `: ${banks.map((b) => `${b.name} (${b.identifier}, ${b.country})`).join(', ')}` : ''}`;
}

export function accountsSummary(accounts: Account[]): string {
  return `${plural(accounts.length, 'account')}${accounts.length ? `: ${accounts.map((a) => `${a.name} (${a.type}, ${a.currency}, account_id ${a.account_id})`).join('; ')}` : ''}`;
}

const AVAILABLE = ['INTERIM_AVAILABLE', 'CLOSING_AVAILABLE', 'OPENING_AVAILABLE', 'FORWARD_AVAILABLE'];

/** `2 balances; AED 12 345.67 available (INTERIM_AVAILABLE)`: a debit balance is negative. */
export function balancesSummary(balances: Balance[]): string {
  const signed = (b: Balance) => ({ amount: b.amount, sign: b.credit_debit_indicator === 'DEBIT' ? (-1 as const) : (1 as const) });
  const available = AVAILABLE.map((type) => balances.filter((b) => b.type === type)).find((list) => list.length > 0);
  const parts = balances.map((b) => `${b.type} ${listTotals(totals([signed(b)]))}`);
  const headline = available ? `; ${listTotals(totals(available.map(signed)))} available (${available[0]!.type})` : '';
  return `${plural(balances.length, 'balance')}${headline}${parts.length ? `: ${parts.join(', ')}` : ''}`;
}

export function transactionsSummary(transactions: Transaction[], total: number, next: { cursor?: string | null; page?: number | null }): string {
  if (transactions.length === 0) return `0 of ${plural(total, 'transaction')}`;
  const credits = totals(transactions.filter((t) => t.credit_debit_indicator === 'CREDIT').map((t) => ({ amount: t.amount, sign: 1 })));
  const debits = totals(transactions.filter((t) => t.credit_debit_indicator === 'DEBIT').map((t) => ({ amount: t.amount, sign: 1 })));
  const pending = transactions.filter((t) => t.booking_status === 'PENDING').length;
  const range = `${transactions.at(-1)!.timestamp.slice(0, 10)} to ${transactions[0]!.timestamp.slice(0, 10)}`;
  const flows = [credits.size ? `in ${listTotals(credits)}` : '', debits.size ? `out ${listTotals(debits)}` : ''].filter(Boolean).join(', ');
  return `${transactions.length} of ${plural(total, 'transaction')}, newest first, booked ${range}${pending ? ` (${pending} pending)` : ''}; ${flows}${more(total, transactions.length, next)}`;
}

export function syncSummary(sync: { added: unknown[]; modified: unknown[]; removed: unknown[]; next_cursor: string; has_more: boolean }): string {
  const counts = `${sync.added.length} added, ${sync.modified.length} modified, ${sync.removed.length} removed`;
  return sync.has_more ? `${counts}; more changes wait: call again with cursor "${sync.next_cursor}"` : `${counts}; up to date: next time pass cursor "${sync.next_cursor}"`;
}

export function listSummary(items: unknown[], noun: string, nouns?: string): string {
  return plural(items.length, noun, nouns);
}

export function identitySummary(identity: { full_name: string | null; party_type: string | null }): string {
  return `Identity: ${identity.full_name ?? 'name not shared by the bank'}${identity.party_type ? ` (${identity.party_type})` : ''}`;
}

export function refreshSummary(refresh: Refresh): string {
  const resources = refresh.resources.map((r) => `${r.resource} ${r.status}${r.records === null ? '' : ` ${r.records}`}`).join(', ');
  const when = refresh.finished_at ? `finished ${refresh.finished_at}` : `created ${refresh.created_at}`;
  const error = refresh.error ? `; error ${refresh.error.code}: ${refresh.error.detail}` : '';
  return `Refresh ${refresh.refresh_id} (${refresh.trigger}) is ${refresh.status}, ${when}${error}${resources ? `; ${resources}` : ''}`;
}

export function refreshesSummary(refreshes: Refresh[], total: number, next: { cursor?: string | null; page?: number | null }): string {
  const newest = refreshes[0];
  const latest = newest ? `; newest ${newest.refresh_id} (${newest.trigger}) ${newest.status}, ${newest.finished_at ? `finished ${newest.finished_at}` : `created ${newest.created_at}`}` : '';
  return `${refreshes.length} of ${plural(total, 'refresh', 'refreshes')}${latest}${more(total, refreshes.length, next)}`;
}
