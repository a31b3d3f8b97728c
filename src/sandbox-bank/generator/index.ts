import type { SandboxBankProfile } from '../profiles.ts';
import { formatAmount } from '../money.ts';
import { balancesOf } from './balances.ts';
import { calendarDay, dayInMonth, instantOf, isoInstant, localDay, utcOffsetMs } from './calendar.ts';
import { directDebitsOf } from './instructions/direct-debits.ts';
import { beneficiariesOf } from './instructions/payees.ts';
import { standingOrdersOf } from './instructions/standing-orders.ts';
import { PROFILES, type GeneratedAccount, type GeneratedCustomer, type Profile } from './model.ts';
import { buildLedger } from './ledger.ts';
import { scheduledPaymentsOf } from './life/scheduled-payments.ts';
import { planCustomer } from './plan.ts';

export type * from './model.ts';
export { PROFILES } from './model.ts';

export interface GenerateOptions {
  profile?: Profile;
}

/**
 * The sandbox bank's data for one login, as it stands at `asOf`. Pure and deterministic: the
 * same (bank, login, profile) gives the same customer, and a later `asOf` only adds to the
 * history (pending card entries book under the same id; nothing booked changes).
 *
 * `generateCustomer(bank, 'user1', new Date()).accounts[0].transactions`
 */
export function generateCustomer(bank: SandboxBankProfile, login: string, asOf: Date, options: GenerateOptions = {}): GeneratedCustomer {
  const asOfMs = asOf.getTime();
  if (!Number.isFinite(asOfMs)) throw new RangeError('asOf is not a valid date');
  const profile = options.profile ?? 'default';
  if (!PROFILES.includes(profile)) throw new RangeError(`unknown profile ${JSON.stringify(profile)}`);
  const offsetMs = utcOffsetMs(bank.time_zone, asOf);
  const plan = planCustomer(bank, login, profile, offsetMs, localDay(asOfMs, offsetMs));
  const ledger = buildLedger(plan, asOfMs);
  const asOfIso = asOf.toISOString();
  const servicer = { schemeName: 'UK.OBIE.BICFI' as const, identification: bank.bic, name: bank.name };

  const accounts = plan.accounts.map((account, i): GeneratedAccount => {
    const history = ledger.accounts[i]!;
    const openedAt = isoInstant(instantOf(account.openDay, 0, offsetMs));
    const isCurrent = account.subType === 'CurrentAccount';
    return {
      accountId: account.accountId,
      accountType: 'Personal',
      accountSubType: account.subType,
      status: 'Enabled',
      currency: plan.currency,
      description: account.description,
      nickname: account.nickname,
      openingDate: openedAt,
      maturityDate: account.loan
        ? isoInstant(instantOf(dayInMonth(calendarDay(account.openDay).monthIndex + account.loan.termMonths, account.cycleDay), 0, offsetMs))
        : null,
      iban: account.iban,
      accountNumber: account.accountNumber,
      servicer,
      creditLimit: account.creditLimitMinor === null ? null : { amount: formatAmount(account.creditLimitMinor, plan.currency), currency: plan.currency },
      balances: balancesOf(account, history, plan.currency, openedAt, asOfIso),
      transactions: history.transactions,
      beneficiaries: isCurrent ? beneficiariesOf(plan) : [],
      directDebits: isCurrent ? directDebitsOf(plan, ledger, asOfMs) : [],
      standingOrders: isCurrent ? standingOrdersOf(plan, ledger, asOfMs) : [],
      scheduledPayments: isCurrent ? scheduledPaymentsOf(plan, asOfMs) : [],
      parties: account.parties,
    };
  });

  return {
    bankIdentifier: bank.identifier,
    login,
    profile,
    asOf: asOfIso,
    party: { person: plan.holder, partyType: 'Sole', accountRole: null },
    accounts,
  };
}
