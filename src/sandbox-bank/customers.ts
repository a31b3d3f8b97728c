import { LRUCache } from 'lru-cache';
import type { SandboxBankProfile } from './profiles.ts';
import { transactionsUnderFaults, type ActiveFaults, type Fault } from './faults.ts';
import { utcOffsetMs } from './generator/calendar.ts';
import { generateCustomer } from './generator/index.ts';
import type { GeneratedAccount, GeneratedCustomer, GeneratedTransaction, Profile } from './generator/model.ts';

const MINUTE_MS = 60_000;

/** Faults that change which transactions exist, as opposed to how they are written out. */
const SHAPING_FAULTS: readonly Fault[] = [
  'pending_new_id',
  'late_backdated',
  'reissued_transactions',
  'withdrawn_transactions',
  'pending_vanish',
  'pending_tip',
  'twins',
];

/** A generated customer and what the bank derives from it, built once per snapshot. */
export interface Snapshot {
  /** The instant the data is as of: a whole minute. */
  asOfMs: number;
  customer: GeneratedCustomer;
  account(accountId: string): GeneratedAccount | undefined;
  /** The account's transactions as the faults shape them, oldest first. */
  transactions(account: GeneratedAccount, faults: ActiveFaults): readonly GeneratedTransaction[];
}

/** The start of the minute `ms` falls in: snapshots are per minute, so new data shows within one. */
const snapshotInstant = (ms: number) => Math.floor(ms / MINUTE_MS) * MINUTE_MS;

/**
 * Generated customers by (bank, login, profile, minute). A high-volume customer takes tens of
 * milliseconds to generate and a refresh pages through it many times within a minute, so pages
 * are slices of one cached snapshot, never a regeneration.
 */
export class CustomerCache {
  readonly #cache: LRUCache<string, Snapshot>;

  constructor(max = 6) {
    this.#cache = new LRUCache({ max });
  }

  get(bank: SandboxBankProfile, login: string, profile: Profile, asOfMs: number): Snapshot {
    const minute = snapshotInstant(asOfMs);
    const key = `${bank.identifier}\n${login}\n${profile}\n${minute}`;
    let snapshot = this.#cache.get(key);
    if (!snapshot) {
      snapshot = build(generateCustomer(bank, login, new Date(minute), { profile }), minute, utcOffsetMs(bank.time_zone, new Date(minute)));
      this.#cache.set(key, snapshot);
    }
    return snapshot;
  }
}

function build(customer: GeneratedCustomer, asOfMs: number, offsetMs: number): Snapshot {
  const accounts = new Map(customer.accounts.map((a) => [a.accountId, a]));
  const shaped = new Map<string, readonly GeneratedTransaction[]>();
  return {
    asOfMs,
    customer,
    account: (accountId) => accounts.get(accountId),
    transactions(account, faults) {
      const active = SHAPING_FAULTS.filter((f) => faults.has(f));
      if (active.length === 0) return account.transactions;
      const key = `${account.accountId}\n${active.map((f) => `${f}@${faults.get(f)}`).join(',')}`;
      let list = shaped.get(key);
      if (!list) {
        list = transactionsUnderFaults(account.transactions, faults, asOfMs, offsetMs);
        shaped.set(key, list);
      }
      return list;
    },
  };
}
