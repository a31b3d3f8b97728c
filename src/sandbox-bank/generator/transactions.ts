import { formatAmount } from '../money.ts';
import type { AccountPlan } from './accounts.ts';
import { roundedMinor, shareOf } from './amounts.ts';
import { DAY_MS, calendarDay, dayInMonth, instantOf, isoFormatter, localDay, workingDay, type CalendarDay } from './calendar.ts';
import {
  ATM_RANGE,
  SCHEDULED_SHARE_OF_SALARY,
  GOAL_WITHDRAWAL_RANGE,
  REFUND_CATEGORIES,
  TRANSFER_IN_RANGE,
  TRANSFER_OUT_RANGE,
  isSpending,
  type ActivityMix,
} from './activity.ts';
import { CATEGORY_TRAITS, type Merchant } from './spend-categories.ts';
import type { BankTransactionCode, GeneratedTransaction, MerchantDetails } from './model.ts';
import type { CustomerPlan, Payee } from './plan.ts';
import { Rng, deriveSeed } from './prng.ts';

/**
 * The history: the customer plan played out day by day from each account's opening. A day's
 * entries are drawn from streams seeded by (account or customer, day) and from balances of the
 * days before it, never from `asOf`, which only decides where the history stops and which recent
 * card entries are still pending. So a later `asOf` reproduces every earlier entry unchanged.
 */

/** Card authorisations stay pending this long before the entry books. */
export const PENDING_WINDOW_MS = 2 * DAY_MS;

const code = (c: string, subCode: string): BankTransactionCode => Object.freeze({ code: c, subCode });

/** ISO 20022 bank transaction family and sub-family names, as OBIE `BankTransactionCode` carries them. */
const CODES = {
  salary: code('ReceivedCreditTransfers', 'SalaryPayment'),
  transferIn: code('ReceivedCreditTransfers', 'DomesticCreditTransfer'),
  transferOut: code('IssuedCreditTransfers', 'DomesticCreditTransfer'),
  remittance: code('IssuedCreditTransfers', 'CrossBorderCreditTransfer'),
  standingOrder: code('IssuedCreditTransfers', 'StandingOrder'),
  billPayment: code('IssuedCreditTransfers', 'BillPayment'),
  ownTransferOut: code('IssuedCreditTransfers', 'InternalBookTransfer'),
  ownTransferIn: code('ReceivedCreditTransfers', 'InternalBookTransfer'),
  directDebit: code('ReceivedDirectDebits', 'DirectDebitPayment'),
  cheque: code('IssuedCheques', 'ChequeCleared'),
  cardPurchase: code('CustomerCardTransactions', 'PointOfSalePayment'),
  cashWithdrawal: code('CustomerCardTransactions', 'CashWithdrawal'),
  cardRefund: code('CustomerCardTransactions', 'Reversal'),
  fee: code('MiscellaneousDebitOperations', 'Fees'),
  tax: code('MiscellaneousDebitOperations', 'Taxes'),
  profitCredit: code('MiscellaneousCreditOperations', 'Interest'),
  profitCharge: code('MiscellaneousDebitOperations', 'Interest'),
  loanDrawdown: code('ConsumerLoans', 'Drawdown'),
  loanRepayment: code('ConsumerLoans', 'Repayment'),
} as const;

/** Zero-padded daily sequence numbers, the tail of every transaction id. */
const SEQUENCE = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));

/** Electricity bills follow the air conditioning: summer bills run far above winter ones. */
const SEASONAL_UTILITY = [0.75, 0.7, 0.8, 0.95, 1.2, 1.6, 1.9, 2, 1.7, 1.25, 0.9, 0.8] as const;

interface Draft {
  ms: number;
  /** Positive; the direction is `credit`. */
  minor: number;
  credit: boolean;
  info: string;
  reference: string | null;
  code: BankTransactionCode;
  merchant?: MerchantDetails;
  /** Card authorisations are pending for a while before they book. */
  card?: boolean;
  /** Spending a customer only does with money to spare: declined when it would overdraw the account. */
  discretionary?: boolean;
  /** The standing order or mandate it executes, to report their last payment. */
  instruction?: string;
}

interface AccountState {
  plan: AccountPlan;
  mix: ActivityMix;
  /** Signed balance over every generated entry, pending or not: what spending decisions see. */
  balance: number;
  /** A card's last statement: the amount due and the day it is paid. */
  statement: { dueDay: number; minor: number } | null;
  drafts: Draft[];
  /** Statement narrative per merchant, built once: debit-card and credit-card statements word purchases differently. */
  purchaseLabels: Map<Merchant, string>;
  transactions: GeneratedTransaction[];
  bookedMinor: number;
  pendingDebitMinor: number;
}

export interface LedgerAccount {
  transactions: GeneratedTransaction[];
  /** Signed sum of the booked entries. */
  bookedMinor: number;
  pendingDebitMinor: number;
}

export interface Ledger {
  accounts: LedgerAccount[];
  /** Last execution up to `asOf` of each standing order and mandate, by its id. */
  lastPayments: Map<string, { ms: number; minor: number }>;
}

/** A one-off payment the customer set up ahead of time; it executes on its day like any transfer. */
export interface ScheduledTransfer {
  ms: number;
  payee: Payee;
  minor: number;
  reference: string;
  type: 'Arrival' | 'Execution';
}

/** The scheduled payment executing on `day`, if any; drawn from its own stream so future days can be listed cheaply. */
export function scheduledTransferOn(plan: CustomerPlan, day: number): ScheduledTransfer | null {
  const rng = new Rng(deriveSeed(plan.seed, day, 0x5c4ed));
  if (!rng.chance(plan.scheduledChance)) return null;
  const payee = rng.pick(plan.payees.filter((p) => p.role !== 'landlord'));
  const reference = rng.pick(
    payee.role === 'friend' ? ['Wedding gift', 'Trip share', 'Loan repayment'] : ['School fees', 'Eid gift', 'Medical bills', 'Family support'],
  );
  return {
    ms: instantOf(day, 7 * 60 + rng.int(0, 59), plan.offsetMs),
    payee,
    minor: roundedMinor((rng.logUniform(...SCHEDULED_SHARE_OF_SALARY) * plan.salary.baseMinor) / 10 ** plan.exp, plan.exp, plan.country.salary.roundTo / 5),
    reference,
    type: rng.chance(0.8) ? 'Execution' : 'Arrival',
  };
}

function upper(text: string): string {
  return text.toUpperCase();
}

function last4(accountNumber: string): string {
  return accountNumber.slice(-4);
}

export function buildLedger(plan: CustomerPlan, asOfMs: number): Ledger {
  const { country, exp, currency, profile, offsetMs } = plan;
  const asOfDay = localDay(asOfMs, offsetMs);
  const states: AccountState[] = plan.accounts.map((account, i) => ({
    plan: account,
    mix: plan.mixes[i]!,
    balance: account.openingMinor,
    statement: null,
    drafts: [],
    purchaseLabels: new Map(),
    transactions: [],
    bookedMinor: 0,
    pendingDebitMinor: 0,
  }));
  const current = states[0]!;
  const card = states.find((s) => s.plan.subType === 'CreditCard') ?? null;
  const savings = states.find((s) => s.plan.subType === 'Savings') ?? null;
  const loan = states.find((s) => s.plan.subType === 'Loan') ?? null;
  const lastPayments = new Map<string, { ms: number; minor: number }>();
  const merchantDetails = new Map<Merchant, MerchantDetails>();
  const details = (merchant: Merchant): MerchantDetails => {
    let d = merchantDetails.get(merchant);
    if (!d) {
      d = Object.freeze({ merchantName: merchant.name, merchantCategoryCode: merchant.mcc });
      merchantDetails.set(merchant, d);
    }
    return d;
  };
  const iso = isoFormatter();
  const town = upper(plan.city.town);
  const cardLabel = card ? `CARD ENDING ${last4(card.plan.accountNumber)}` : '';
  const loanOpenMonth = loan ? calendarDay(loan.plan.openDay).monthIndex : 0;
  const personal = plan.payees.filter((p) => p.role === 'friend' || p.role === 'family');
  const profitWord = plan.islamic ? 'PROFIT' : 'INTEREST';
  const scaled = (major: number) => roundedMinor(major * plan.spendScale, exp, 0);
  const retail = (major: number) => roundedMinor(major * plan.spendScale, exp, country.retailStepMinor / 10 ** exp);

  const isOpen = (s: AccountState | null, day: number): s is AccountState => s !== null && s.plan.openDay <= day;
  const post = (s: AccountState, draft: Draft) => {
    s.drafts.push(draft);
  };
  const paydayOf = (monthIndex: number) => workingDay(dayInMonth(monthIndex, plan.salary.dayOfMonth), country.weekend, -1);
  /** A fee and the VAT on it, as separate entries the way Gulf banks itemise them. */
  const chargeFee = (ms: number, fee: number, label: string) => {
    post(current, { ms, minor: fee, credit: false, info: label, reference: null, code: CODES.fee });
    const vat = shareOf(fee, country.vatPercent, 100);
    post(current, { ms: ms + 1000, minor: vat, credit: false, info: `VAT ${country.vatPercent}% ON ${label}`, reference: null, code: CODES.tax });
  };

  /** The customer's scheduled life: income, obligations and moves between their own accounts. */
  const customerDay = (cal: CalendarDay) => {
    const { day, monthIndex, dayOfMonth } = cal;
    const rng = new Rng(deriveSeed(plan.seed, day, 0xc0));
    const at = (fromHour: number, toHour: number) => instantOf(day, fromHour * 60 + rng.next() * (toHour - fromHour) * 60, offsetMs);

    const payday = paydayOf(monthIndex);
    // Remittances and sweeps follow payday by days, often into the next month.
    const lastPayday = day >= payday ? payday : paydayOf(monthIndex - 1);
    if (day === payday) {
      const salary = monthIndex >= plan.salary.raiseFromMonth ? plan.salary.raisedMinor : plan.salary.baseMinor;
      const employer = upper(plan.salary.employer);
      const label = country.statement.salary(employer);
      const ms = at(5, 9);
      post(current, { ms, minor: salary, credit: true, info: label, reference: `SAL${cal.compact}`, code: CODES.salary });
      if (plan.salary.bonusMonth === cal.month) {
        post(current, { ms: ms + 60_000, minor: plan.salary.bonusMinor, credit: true, info: `BONUS ${employer}`, reference: `BON${cal.compact}`, code: CODES.salary });
      }
    }

    const rent = plan.rent;
    if (rent) {
      const step = 12 / rent.chequesPerYear;
      // A cheque dated in a month clears on its date or the next working day, possibly in the next month.
      for (const month of [monthIndex, monthIndex - 1]) {
        const k = month - rent.leaseStartMonth;
        if (k < 0 || k % step !== 0) continue;
        if (workingDay(dayInMonth(month, rent.leaseDay), country.weekend, 1) !== day) continue;
        const cheque = k / step;
        let annual = rent.annualMinor;
        for (let year = 0; year < Math.floor(k / 12); year++) annual += shareOf(annual, rent.renewalPercent, 100);
        const number = String(rent.firstChequeNumber + cheque).padStart(6, '0');
        post(current, {
          ms: at(10, 13),
          minor: Math.round(annual / rent.chequesPerYear),
          credit: false,
          info: `CHEQUE ${number} CLEARED ${upper(rent.landlord)}`,
          reference: number,
          code: CODES.cheque,
        });
      }
    }

    for (const bill of [plan.utility, plan.telecom]) {
      if (!bill || dayOfMonth !== Math.min(bill.dayOfMonth, cal.daysInMonth)) continue;
      const factor = bill === plan.utility ? SEASONAL_UTILITY[cal.month - 1]! : 1;
      const minor = roundedMinor((bill.baseMinor / 10 ** exp) * factor * (0.85 + 0.35 * rng.next()), exp, 0);
      const name = upper(bill.biller.name);
      post(current, {
        ms: at(9, 22),
        minor,
        credit: false,
        info: country.statement.billPayment(name, bill.contract),
        reference: bill.contract,
        code: CODES.billPayment,
        merchant: details(bill.biller),
      });
    }

    for (const mandate of plan.mandates) {
      const sinceFirst = monthIndex - mandate.firstMonth;
      if (sinceFirst < 0 || sinceFirst % mandate.monthsBetween !== 0) continue;
      if (day !== dayInMonth(monthIndex, mandate.dayOfMonth)) continue;
      if (mandate.cancelDay !== null && day >= mandate.cancelDay) continue;
      const minor = mandate.variable ? roundedMinor((mandate.baseMinor / 10 ** exp) * (0.9 + 0.4 * rng.next()), exp, 0) : mandate.baseMinor;
      post(current, {
        ms: at(3, 6),
        minor,
        credit: false,
        info: `DIRECT DEBIT ${upper(mandate.biller.name)} ${mandate.mandateId}`,
        reference: mandate.mandateId,
        code: CODES.directDebit,
        merchant: details(mandate.biller),
        instruction: mandate.directDebitId,
      });
    }

    for (const order of plan.standingOrders) {
      const n = monthIndex - order.firstMonth;
      if (n < 0 || (order.payments !== null && n >= order.payments)) continue;
      if (day !== dayInMonth(monthIndex, order.dayOfMonth)) continue;
      const target = order.toAccount === null ? null : states[order.toAccount]!;
      if (target && !isOpen(target, day)) continue;
      const ms = instantOf(day, order.minuteOfDay, offsetMs);
      post(current, {
        ms,
        minor: order.amountMinor,
        credit: false,
        info: `STANDING ORDER TO ${upper(order.creditor.name)} ${upper(order.reference)}`,
        reference: order.reference,
        code: CODES.standingOrder,
        instruction: order.standingOrderId,
      });
      if (target) {
        post(target, {
          ms,
          minor: order.amountMinor,
          credit: true,
          info: `TRANSFER FROM ACCOUNT ${last4(current.plan.accountNumber)} ${upper(order.reference)}`,
          reference: order.reference,
          code: CODES.ownTransferIn,
        });
      }
    }

    for (const subscription of plan.subscriptions) {
      if (dayOfMonth !== Math.min(subscription.dayOfMonth, cal.daysInMonth)) continue;
      const s = isOpen(card, day) ? card : current;
      post(s, {
        ms: at(0, 6),
        minor: subscription.amountMinor,
        credit: false,
        info: `${upper(subscription.merchant.name)} ${country.code}`,
        reference: null,
        code: CODES.cardPurchase,
        merchant: details(subscription.merchant),
        card: true,
      });
    }

    const remittance = plan.remittance;
    if (remittance && day === lastPayday + remittance.daysAfterPayday) {
      const minor = roundedMinor(
        (remittance.minMinor + rng.next() * (remittance.maxMinor - remittance.minMinor)) / 10 ** exp,
        exp,
        country.salary.roundTo / 25,
      );
      const ms = at(10, 20);
      const payee = remittance.payee;
      post(current, {
        ms,
        minor,
        credit: false,
        info: `INTERNATIONAL TRANSFER TO ${upper(payee.name)} ${upper(payee.bank.name)} ${payee.bank.country}`,
        reference: `RMT${cal.compact}${rng.digits(4)}`,
        code: CODES.remittance,
      });
      chargeFee(ms + 30_000, remittance.feeMinor, 'REMITTANCE CHARGES');
    }

    if (card && card.statement && day === card.statement.dueDay) {
      const { minor } = card.statement;
      const ms = at(8, 12);
      post(current, { ms, minor, credit: false, info: `CREDIT CARD PAYMENT ${cardLabel}`, reference: null, code: CODES.ownTransferOut });
      post(card, { ms, minor, credit: true, info: 'PAYMENT RECEIVED - THANK YOU', reference: null, code: CODES.ownTransferIn });
      card.statement = null;
    }

    if (loan && loan.plan.loan) {
      const terms = loan.plan.loan;
      const loanNumber = loan.plan.accountNumber;
      if (day === loan.plan.openDay) {
        post(current, {
          ms: at(10, 12),
          minor: -loan.plan.openingMinor,
          credit: true,
          info: `${plan.islamic ? 'FINANCE' : 'LOAN'} DISBURSEMENT ${loanNumber}`,
          reference: loanNumber,
          code: CODES.loanDrawdown,
        });
      }
      if (day === loan.plan.openDay + terms.purchaseDelayDays) {
        post(current, {
          ms: at(10, 16),
          minor: terms.purchaseMinor,
          credit: false,
          info: `TRANSFER TO ${upper(terms.dealer)}`,
          reference: `VEHICLE ${rng.digits(6)}`,
          code: CODES.transferOut,
        });
      }
      const owed = -loan.balance;
      if (owed > 0 && monthIndex > loanOpenMonth && day === dayInMonth(monthIndex, loan.plan.cycleDay)) {
        const profit = shareOf(owed, loan.plan.rateBp, 120_000);
        const base = instantOf(day, 10, offsetMs);
        post(loan, { ms: base, minor: profit, credit: false, info: `${profitWord} CHARGED`, reference: loanNumber, code: CODES.profitCharge });
        const instalment = Math.min(terms.installmentMinor, owed + profit);
        const label = `${plan.islamic ? 'FINANCE' : 'LOAN'} INSTALMENT ${loanNumber}`;
        post(current, { ms: base + 600_000, minor: instalment, credit: false, info: label, reference: loanNumber, code: CODES.ownTransferOut });
        post(loan, { ms: base + 600_000, minor: instalment, credit: true, info: 'INSTALMENT RECEIVED', reference: loanNumber, code: CODES.loanRepayment });
      }
    }

    if (isOpen(savings, day)) {
      if (dayOfMonth === cal.daysInMonth && savings.balance > 0) {
        const profit = shareOf(savings.balance, savings.plan.rateBp, 120_000);
        if (profit > 0) {
          post(savings, { ms: instantOf(day, 23 * 60 + 50, offsetMs), minor: profit, credit: true, info: `${profitWord} CREDIT`, reference: null, code: CODES.profitCredit });
        }
      }
      // Money moves between current and savings in whole hundreds: surplus out after payday,
      // back in when the current account runs dry, and now and then for a larger purchase.
      const unit = Math.round(100 * 10 ** exp * country.spendScale);
      const salary = plan.salary.baseMinor;
      const surplus = current.balance - plan.reserveMinor - Math.round(1.5 * salary);
      let toSavings = 0;
      // A fresh loan's money is not surplus: it leaves for the dealer within days.
      const loanSpent = !loan?.plan.loan || day > loan.plan.openDay + loan.plan.loan.purchaseDelayDays;
      if (day === lastPayday + 1 && loanSpent && surplus > 1.5 * salary) {
        toSavings = Math.floor(surplus / unit) * unit;
      } else if (savings.balance > 0 && (current.balance < salary / 10 || rng.chance(1 / 75))) {
        toSavings = -Math.floor((savings.balance * (0.1 + 0.3 * rng.next())) / unit) * unit;
      }
      if (toSavings !== 0) {
        const ms = at(12, 20);
        const [from, to] = toSavings > 0 ? [current, savings] : [savings, current];
        const minor = Math.abs(toSavings);
        post(from, { ms, minor, credit: false, info: `TRANSFER TO ACCOUNT ${last4(to.plan.accountNumber)}`, reference: null, code: CODES.ownTransferOut });
        post(to, { ms, minor, credit: true, info: `TRANSFER FROM ACCOUNT ${last4(from.plan.accountNumber)}`, reference: null, code: CODES.ownTransferIn });
      }
    }

    const minimum = country.belowMinimumFee;
    if (minimum && dayOfMonth === 1 && current.balance < minimum.minimumBalance * 10 ** exp) {
      chargeFee(instantOf(day, 60, offsetMs), roundedMinor(minimum.fee, exp, 0), 'MIN BALANCE FEE');
    }
    if (profile !== 'thin' && rng.chance(1 / 400)) {
      chargeFee(at(9, 18), roundedMinor(country.cardReplacementFee, exp, 0), 'DEBIT CARD REPLACEMENT FEE');
    }

    const scheduled = scheduledTransferOn(plan, day);
    if (scheduled) {
      post(current, {
        ms: scheduled.ms,
        minor: scheduled.minor,
        credit: false,
        info: `TRANSFER TO ${upper(scheduled.payee.name)} ${upper(scheduled.reference)}`,
        reference: scheduled.reference,
        code: scheduled.payee.role === 'home' ? CODES.remittance : CODES.transferOut,
      });
    }
  };

  /** Card spending, cash and person-to-person transfers: the day's unplanned activity on one account. */
  const accountDay = (s: AccountState, cal: CalendarDay) => {
    if (s.mix.length === 0) return;
    const rng = new Rng(deriveSeed(s.plan.seed, cal.day));
    const weekend = country.weekend.includes(cal.weekday);
    const onCard = s.plan.subType === 'CreditCard';
    const merchants = country.merchants;
    for (const [activity, rate] of s.mix) {
      const count = rng.poisson(weekend && isSpending(activity) ? rate * CATEGORY_TRAITS[activity].weekendFactor : rate);
      for (let i = 0; i < count; i++) {
        switch (activity) {
          case 'atm': {
            post(s, {
              ms: instantOf(cal.day, rng.int(8 * 60, 23 * 60 + 59), offsetMs),
              minor: roundedMinor(rng.logUniform(...ATM_RANGE) * plan.cashScale, exp, country.atmNote),
              credit: false,
              info: `ATM CASH WITHDRAWAL ${upper(rng.pick(plan.city.areas))}`,
              reference: null,
              code: CODES.cashWithdrawal,
              card: true,
              discretionary: true,
            });
            break;
          }
          case 'transferOut': {
            const payee = rng.pick(personal);
            post(s, {
              ms: instantOf(cal.day, rng.int(8 * 60, 23 * 60), offsetMs),
              minor: roundedMinor(rng.logUniform(...TRANSFER_OUT_RANGE) * plan.cashScale, exp, country.spendScale),
              credit: false,
              info: `${country.instantScheme} TRANSFER TO ${upper(payee.name)}`,
              reference: `FT${cal.compact.slice(2)}${rng.digits(6)}`,
              code: CODES.transferOut,
              discretionary: true,
            });
            break;
          }
          case 'transferIn': {
            post(s, {
              ms: instantOf(cal.day, rng.int(8 * 60, 23 * 60), offsetMs),
              minor: roundedMinor(rng.logUniform(...TRANSFER_IN_RANGE) * plan.cashScale, exp, country.spendScale),
              credit: true,
              info: `${country.instantScheme} TRANSFER FROM ${upper(rng.pick(personal).name)}`,
              reference: `FT${cal.compact.slice(2)}${rng.digits(6)}`,
              code: CODES.transferIn,
            });
            break;
          }
          case 'refund': {
            const category = rng.pick(REFUND_CATEGORIES);
            const merchant = rng.pick(merchants[category]);
            const { minAmount, maxAmount } = CATEGORY_TRAITS[category];
            post(s, {
              ms: instantOf(cal.day, rng.int(9 * 60, 22 * 60), offsetMs),
              minor: retail(rng.logUniform(minAmount, maxAmount)),
              credit: true,
              info: `REFUND ${upper(merchant.name)}`,
              reference: null,
              code: CODES.cardRefund,
              merchant: details(merchant),
            });
            break;
          }
          case 'roundUp':
            post(s, {
              ms: instantOf(cal.day, rng.int(7 * 60, 23 * 60 + 59), offsetMs),
              minor: rng.int(1, 10 ** exp - 1),
              credit: true,
              info: 'ROUND-UP SAVINGS',
              reference: null,
              code: CODES.ownTransferIn,
            });
            break;
          case 'goalWithdrawal':
            post(s, {
              ms: instantOf(cal.day, rng.int(7 * 60, 23 * 60 + 59), offsetMs),
              minor: scaled(rng.logUniform(...GOAL_WITHDRAWAL_RANGE)),
              credit: false,
              info: 'SAVINGS GOAL WITHDRAWAL',
              reference: null,
              code: CODES.ownTransferOut,
              discretionary: true,
            });
            break;
          default: {
            const t = CATEGORY_TRAITS[activity];
            const merchant = rng.pick(merchants[activity]);
            let label = s.purchaseLabels.get(merchant);
            if (label === undefined) {
              const name = upper(merchant.name);
              label = onCard ? `${name} ${town} ${country.code}` : `POS ${name} ${town}`;
              s.purchaseLabels.set(merchant, label);
            }
            post(s, {
              ms: instantOf(cal.day, t.fromHour * 60 + rng.next() * (t.toHour - t.fromHour) * 60, offsetMs),
              minor: retail(rng.logUniform(t.minAmount, t.maxAmount)),
              credit: false,
              info: label,
              reference: null,
              code: CODES.cardPurchase,
              merchant: details(merchant),
              card: true,
              discretionary: true,
            });
          }
        }
      }
    }
  };

  /** Books the day's drafts in time order; declined spending gets no id, so ids stay dense. */
  const settle = (s: AccountState, cal: CalendarDay) => {
    const drafts = s.drafts.sort((a, b) => a.ms - b.ms);
    const floor = s === current ? plan.reserveMinor : s.plan.creditLimitMinor === null ? 0 : -s.plan.creditLimitMinor;
    const idPrefix = `${s.plan.txTag}-${cal.compact}-`;
    let seq = 0;
    for (const d of drafts) {
      const signed = d.credit ? d.minor : -d.minor;
      if (d.discretionary && s.balance + signed < floor) continue;
      s.balance += signed;
      seq++;
      if (d.ms > asOfMs) continue;
      const pending = d.card && d.ms > asOfMs - PENDING_WINDOW_MS;
      const stamp = iso(d.ms);
      s.transactions.push({
        transactionId: idPrefix + (SEQUENCE[seq] ?? String(seq)),
        transactionReference: d.reference,
        creditDebitIndicator: d.credit ? 'Credit' : 'Debit',
        status: pending ? 'Pending' : 'Booked',
        bookingDateTime: stamp,
        valueDateTime: pending ? null : stamp,
        transactionInformation: d.info,
        amount: { amount: formatAmount(d.minor, currency), currency },
        bankTransactionCode: d.code,
        merchantDetails: d.merchant ?? null,
      });
      if (pending) {
        if (!d.credit) s.pendingDebitMinor += d.minor;
      } else {
        s.bookedMinor += signed;
      }
      if (d.instruction) lastPayments.set(d.instruction, { ms: d.ms, minor: d.minor });
    }
    s.drafts.length = 0;
    if (s.plan.subType === 'CreditCard' && cal.dayOfMonth === s.plan.cycleDay && s.balance < 0) {
      // Customers here pay the statement in full, three weeks after it is cut.
      s.statement = { dueDay: cal.day + 21, minor: -s.balance };
    }
  };

  const firstDay = Math.min(...plan.accounts.map((a) => a.openDay));
  for (let day = firstDay; day <= asOfDay; day++) {
    const cal = calendarDay(day);
    customerDay(cal);
    for (const s of states) if (s.plan.openDay <= day) accountDay(s, cal);
    for (const s of states) if (s.plan.openDay <= day) settle(s, cal);
  }

  return {
    accounts: states.map((s) => ({ transactions: s.transactions, bookedMinor: s.bookedMinor, pendingDebitMinor: s.pendingDebitMinor })),
    lastPayments,
  };
}
