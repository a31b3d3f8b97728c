import type { SandboxBankProfile } from '../profiles.ts';
import { minorUnits } from '../money.ts';
import { planAccounts, type AccountPlan } from './accounts.ts';
import { roundedMinor } from './amounts.ts';
import { calendarDay } from './calendar.ts';
import {
  COUNTRIES,
  HOME_BANKS,
  counterpartyAccountNumber,
  ibanIn,
  isGeneratorCountry,
  type Biller,
  type City,
  type CounterpartyBank,
  type Country,
} from './countries/index.ts';
import type { Merchant } from './spend-categories.ts';
import type { DirectDebitFrequency, Gender, Person, Profile } from './model.ts';
import { addressIn, generatePerson, personName } from './persona.ts';
import { Rng, deriveSeed, seedHex, seedOf, type Seed } from './prng.ts';
import { SCHEDULED_SHARE_OF_SALARY, activityMix, expectedDailyOutflow, logUniformMean, type ActivityMix } from './activity.ts';

/**
 * Everything about a customer that does not change from day to day: who they are, their
 * accounts, income, obligations and payees. The history is then these facts played out over
 * the calendar (transactions.ts).
 */
export interface CustomerPlan {
  country: Country;
  currency: string;
  exp: number;
  profile: Profile;
  seed: Seed;
  /** Offset of the bank's zone from UTC. */
  offsetMs: number;
  islamic: boolean;
  holder: Person;
  city: City;
  accounts: AccountPlan[];
  salary: SalaryPlan;
  rent: ChequeRentPlan | null;
  utility: BillPlan;
  /** Null when the telecom bill is collected by direct debit (it is then one of `mandates`). */
  telecom: BillPlan | null;
  mandates: MandatePlan[];
  standingOrders: StandingOrderPlan[];
  subscriptions: SubscriptionPlan[];
  payees: Payee[];
  remittance: RemittancePlan | null;
  /** Expected daily activity of each account, index-aligned with `accounts`. */
  mixes: ActivityMix[];
  /** Converts the AED amount ranges of merchant spending to this customer's currency and budget. */
  spendScale: number;
  /** The same for cash withdrawals and transfers, which absorb what merchant spending leaves of the budget. */
  cashScale: number;
  /**
   * What the customer keeps on the current account for the month's obligations (a whole rent
   * cheque in the UAE): everyday spending that would dip into it is declined.
   */
  reserveMinor: number;
  /** Chance, per day, of a one-off payment the customer schedules ahead. */
  scheduledChance: number;
}

export interface SalaryPlan {
  employer: string;
  /** Contractual pay day; payroll runs on the working day on or before it. */
  dayOfMonth: number;
  baseMinor: number;
  raiseFromMonth: number;
  raisedMinor: number;
  /** Calendar month (1-12) of the yearly bonus, if any. */
  bonusMonth: number | null;
  bonusMinor: number;
}

/** UAE rent: a year's rent in post-dated cheques, renewed with the lease every year. */
export interface ChequeRentPlan {
  landlord: string;
  chequesPerYear: number;
  leaseStartMonth: number;
  leaseDay: number;
  annualMinor: number;
  /** Rent increase at each yearly renewal, in percent. */
  renewalPercent: number;
  firstChequeNumber: number;
}

export interface BillPlan {
  biller: Biller;
  /** The customer's account number at the biller, quoted on every payment. */
  contract: string;
  dayOfMonth: number;
  baseMinor: number;
}

export interface MandatePlan {
  directDebitId: string;
  mandateId: string;
  biller: Biller;
  frequency: DirectDebitFrequency;
  monthsBetween: number;
  dayOfMonth: number;
  baseMinor: number;
  /** Telecom bills vary month to month; premiums and memberships do not. */
  variable: boolean;
  /** Month index of the first collection. */
  firstMonth: number;
  /** Local day the customer cancelled it, if they did. */
  cancelDay: number | null;
}

export interface Creditor {
  name: string;
  iban: string;
  bank: CounterpartyBank;
}

export interface Payee extends Creditor {
  beneficiaryId: string;
  type: 'Trusted' | 'Ordinary';
  reference: string;
  role: 'family' | 'friend' | 'landlord' | 'home';
}

export interface StandingOrderPlan {
  standingOrderId: string;
  reference: string;
  dayOfMonth: number;
  amountMinor: number;
  firstMonth: number;
  /** Number of payments for a fixed-term order; null runs until cancelled. */
  payments: number | null;
  creditor: Creditor;
  /** Index of the customer's own account the order pays into, if it does. */
  toAccount: number | null;
  /** Local minute of day the bank's batch executes it. */
  minuteOfDay: number;
}

export interface SubscriptionPlan {
  merchant: Merchant;
  dayOfMonth: number;
  amountMinor: number;
}

/** Expatriates send part of their salary home every month, shortly after payday. */
export interface RemittancePlan {
  payee: Payee;
  daysAfterPayday: number;
  minMinor: number;
  maxMinor: number;
  feeMinor: number;
}

const DAYS_PER_MONTH = 30.44;

function creditorAt(rng: Rng, name: string, bank: CounterpartyBank): Creditor {
  return { name, bank, iban: ibanIn(bank.country, bank.ibanCode, counterpartyAccountNumber(rng, bank)) };
}

function opposite(gender: Gender): Gender {
  return gender === 'Male' ? 'Female' : 'Male';
}

/** Checks the bank is one the generator has country data for. */
function countryOf(bank: SandboxBankProfile): Country {
  if (!isGeneratorCountry(bank.country)) {
    throw new RangeError(`the sandbox generator has no data for country ${bank.country} (bank ${bank.identifier})`);
  }
  return COUNTRIES[bank.country];
}

export function planCustomer(bank: SandboxBankProfile, login: string, profile: Profile, offsetMs: number, asOfDay: number): CustomerPlan {
  const country = countryOf(bank);
  const exp = minorUnits(bank.currency);
  // The person is the same whatever the profile; the profile only shapes their banking.
  const personSeed = seedOf('persona', bank.identifier, login);
  const seed = seedOf('customer', bank.identifier, login, profile);
  const rng = new Rng(seed);
  const personRng = new Rng(personSeed);

  const city = personRng.pick(country.cities);
  const gender: Gender = personRng.chance(0.62) ? 'Male' : 'Female';
  const expatriate = personRng.chance(country.expatriateShare);
  const address = addressIn(personRng, country, city);
  const person = (salt: number, g: Gender) =>
    generatePerson(new Rng(deriveSeed(personSeed, salt)), country, {
      partyId: seedHex(deriveSeed(personSeed, salt, 1), 0) + seedHex(deriveSeed(personSeed, salt, 1), 1),
      partyNumber: personRng.digits(7),
      gender: g,
      expatriate,
      address,
      areaCode: city.areaCode,
    });
  const holder = person(1, gender);
  const spouse = person(2, opposite(gender));

  const salaryMajor = country.salary.min * Math.pow(country.salary.max / country.salary.min, Math.pow(rng.next(), 1.4));
  const salaryMinor = roundedMinor(salaryMajor, exp, country.salary.roundTo);
  const islamic = bank.islamic;

  const accounts = planAccounts({ bank, country, exp, profile, seed, islamic, salaryMinor, asOfDay, holder, spouse });
  const current = accounts[0]!;
  const openMonth = calendarDay(current.openDay).monthIndex;
  const local = (min: number, max: number, roundTo = 0) => roundedMinor(rng.logUniform(min, max), exp, roundTo);

  const salary: SalaryPlan = {
    employer: rng.pick(country.employers),
    dayOfMonth: rng.int(25, 28),
    baseMinor: salaryMinor,
    raiseFromMonth: openMonth + rng.int(6, 14),
    raisedMinor: roundedMinor(salaryMajor * (1 + rng.int(3, 10) / 100), exp, country.salary.roundTo),
    bonusMonth: rng.chance(0.5) ? rng.pick([3, 4, 12]) : null,
    bonusMinor: roundedMinor(salaryMajor * rng.pick([0.5, 1, 1.5, 2]), exp, country.salary.roundTo),
  };

  const otherBanks = country.banks.filter((b) => b.ibanCode !== bank.iban_bank_code);
  const payees: Payee[] = [];
  const payee = (role: Payee['role'], name: string, counterpartyBank: CounterpartyBank, type: Payee['type'], reference: string) => {
    const p: Payee = {
      ...creditorAt(rng, name, counterpartyBank),
      beneficiaryId: seedHex(deriveSeed(seed, 0xbe0, payees.length), 0),
      type,
      reference,
      role,
    };
    payees.push(p);
    return p;
  };
  const thin = profile === 'thin';
  const familyCount = thin ? 1 : rng.int(1, 2);
  for (let i = 0; i < familyCount; i++) {
    payee('family', personName(rng, country, holder.familyName), rng.pick(otherBanks), 'Trusted', rng.pick(['Family support', 'Mother', 'Brother', 'Sister']));
  }
  const friendCount = thin ? 0 : rng.int(1, 3);
  for (let i = 0; i < friendCount; i++) payee('friend', personName(rng, country), rng.pick(otherBanks), 'Ordinary', rng.pick(['Friend', 'Shared dinner', 'Loan repayment']));
  const home = expatriate && !thin ? payee('home', personName(rng, country, holder.familyName), rng.pick(HOME_BANKS), 'Trusted', 'Family support home') : null;

  const rentMajor = (salaryMinor / 10 ** exp) * (country.rent.minShare + (country.rent.maxShare - country.rent.minShare) * rng.next());
  const landlordName = rng.chance(0.5) ? rng.pick(country.landlordCompanies) : personName(rng, country);
  const rent: ChequeRentPlan | null =
    thin || country.rent.mode !== 'cheques'
      ? null
      : {
          landlord: landlordName,
          chequesPerYear: rng.pick([4, 4, 4, 2, 6]),
          leaseStartMonth: openMonth - rng.int(0, 11),
          leaseDay: rng.int(1, 28),
          annualMinor: roundedMinor(rentMajor * 12, exp, country.rent.roundTo),
          renewalPercent: rng.pick([0, 0, 3, 5]),
          firstChequeNumber: rng.int(100, 900),
        };

  const standingOrders: StandingOrderPlan[] = [];
  const standingOrder = (creditor: Creditor, fields: Pick<StandingOrderPlan, 'reference' | 'dayOfMonth' | 'amountMinor' | 'firstMonth' | 'payments' | 'toAccount'>) => {
    standingOrders.push({
      standingOrderId: seedHex(deriveSeed(seed, 0x50, standingOrders.length), 0),
      creditor,
      minuteOfDay: 30 + 7 * standingOrders.length,
      ...fields,
    });
  };
  const savings = accounts.find((a) => a.subType === 'Savings');
  if (savings) {
    standingOrder(
      { name: holder.name, iban: savings.iban, bank: { name: bank.name, bic: bank.bic, country: country.code, ibanCode: bank.iban_bank_code } },
      {
        reference: 'Monthly savings',
        dayOfMonth: rng.int(1, 3),
        amountMinor: roundedMinor((salaryMinor / 10 ** exp) * rng.pick([0.05, 0.08, 0.1, 0.12]), exp, country.salary.roundTo),
        firstMonth: calendarDay(savings.openDay).monthIndex + 1,
        payments: null,
        toAccount: savings.index,
      },
    );
  }
  if (country.rent.mode === 'monthly' && !thin) {
    const landlord = payee('landlord', landlordName, rng.pick(otherBanks), 'Trusted', 'Rent');
    standingOrder(landlord, {
      reference: `Rent ${rng.pick(['flat', 'apartment', 'villa'])} ${rng.int(1, 40)}`,
      dayOfMonth: rng.int(1, 5),
      amountMinor: roundedMinor(rentMajor, exp, country.rent.roundTo),
      firstMonth: openMonth + 1,
      payments: null,
      toAccount: null,
    });
  }
  const family = payees.find((p) => p.role === 'family');
  if (family && !thin && rng.chance(0.6)) {
    standingOrder(family, {
      reference: family.reference,
      dayOfMonth: rng.int(1, 10),
      amountMinor: roundedMinor(salaryMajor * rng.pick([0.05, 0.08, 0.1, 0.15]), exp, country.salary.roundTo / 5),
      firstMonth: openMonth + rng.int(1, 4),
      payments: rng.chance(0.5) ? rng.pick([6, 12, 18]) : null,
      toAccount: null,
    });
  }

  const mandates: MandatePlan[] = [];
  const mandate = (biller: Biller, fields: Pick<MandatePlan, 'frequency' | 'monthsBetween' | 'baseMinor' | 'variable' | 'cancelDay'>) => {
    const mseed = deriveSeed(seed, 0xdd, mandates.length);
    mandates.push({
      directDebitId: seedHex(mseed, 0),
      mandateId: `${biller.name.replace(/[^A-Za-z]/g, '').slice(0, 6).toUpperCase()}${seedHex(mseed, 1).toUpperCase()}`,
      biller,
      dayOfMonth: rng.int(3, 20),
      firstMonth: openMonth + rng.int(1, 2),
      ...fields,
    });
  };
  const telecomBiller = rng.pick(country.telecoms);
  const telecomBase = local(country.telecomBill.min, country.telecomBill.max, 0);
  const telecomByMandate = !thin && rng.chance(0.5);
  if (telecomByMandate) {
    mandate(telecomBiller, { frequency: 'UK.OBIE.Monthly', monthsBetween: 1, baseMinor: telecomBase, variable: true, cancelDay: null });
  }
  if (!thin && rng.chance(0.5)) {
    const quarterly = rng.chance(0.3);
    mandate(rng.pick(country.insurers), {
      frequency: quarterly ? 'UK.OBIE.Quarterly' : 'UK.OBIE.Monthly',
      monthsBetween: quarterly ? 3 : 1,
      baseMinor: local(150 * country.spendScale * (quarterly ? 3 : 1), 600 * country.spendScale * (quarterly ? 3 : 1), 0),
      variable: false,
      cancelDay: null,
    });
  }
  if (!thin && rng.chance(0.45)) {
    mandate(rng.pick(country.gyms), {
      frequency: 'UK.OBIE.Monthly',
      monthsBetween: 1,
      baseMinor: roundedMinor(rng.pick([199, 249, 299, 349, 399]) * country.spendScale, exp, 0),
      variable: false,
      cancelDay: rng.chance(0.4) ? current.openDay + rng.int(120, 480) : null,
    });
  }

  const subscriptions: SubscriptionPlan[] = [];
  const subscriptionCount = thin ? 0 : rng.int(1, 3);
  const streaming = [...country.subscriptions];
  for (let i = 0; i < subscriptionCount; i++) {
    const merchant = streaming.splice(rng.int(0, streaming.length - 1), 1)[0]!;
    subscriptions.push({
      merchant,
      dayOfMonth: rng.int(1, 28),
      amountMinor: roundedMinor(rng.pick([14.99, 19.99, 29.99, 39.99, 56]) * country.spendScale, exp, 0),
    });
  }

  const remittance: RemittancePlan | null = home
    ? {
        payee: home,
        daysAfterPayday: rng.int(1, 4),
        minMinor: roundedMinor((salaryMinor / 10 ** exp) * 0.06, exp, 0),
        maxMinor: roundedMinor((salaryMinor / 10 ** exp) * 0.15, exp, 0),
        feeMinor: roundedMinor(country.remittanceFee, exp, 0),
      }
    : null;

  const utility: BillPlan = { biller: city.utility, contract: rng.digits(10), dayOfMonth: rng.int(5, 22), baseMinor: local(country.utilityBill.min, country.utilityBill.max) };
  const telecom: BillPlan | null = telecomByMandate
    ? null
    : { biller: telecomBiller, contract: `${rng.pick(country.mobilePrefixes)}${rng.digits(country.mobileDigits)}`, dayOfMonth: rng.int(5, 22), baseMinor: telecomBase };
  const scheduledChance = thin ? 1 / 120 : 1 / 30;
  const hasCard = accounts.some((a) => a.subType === 'CreditCard');
  const activity = profile === 'default' ? 0.95 + 0.55 * rng.next() : 1;
  const mixes = accounts.map((a) => activityMix(a.subType, profile, activity, hasCard));

  // Spending is sized to what the salary leaves after fixed outgoings (most of it is spent, the
  // rest saved), so balances stay sane whatever the customer's income and obligations.
  const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
  const fixedMonthly =
    (rent ? rent.annualMinor / 12 : 0) +
    sum(standingOrders.map((o) => o.amountMinor)) +
    sum(mandates.map((m) => (m.baseMinor * (m.variable ? 1.1 : 1)) / m.monthsBetween)) +
    utility.baseMinor * 1.25 +
    (telecom ? telecom.baseMinor * 1.07 : 0) +
    sum(subscriptions.map((x) => x.amountMinor)) +
    (remittance ? (remittance.minMinor + remittance.maxMinor) / 2 + remittance.feeMinor : 0) +
    sum(accounts.map((a) => a.loan?.installmentMinor ?? 0)) +
    scheduledChance * DAYS_PER_MONTH * logUniformMean(SCHEDULED_SHARE_OF_SALARY) * salaryMinor;
  const disposable = Math.max(salaryMinor - fixedMonthly, salaryMinor * 0.15);
  const dailyBudget = (disposable * (0.7 + 0.2 * rng.next())) / DAYS_PER_MONTH / 10 ** exp;
  const natural = country.spendScale * Math.pow(salaryMajor / country.salary.typical, 0.7);
  const outflow = expectedDailyOutflow(mixes);
  const atNatural = (outflow.merchant + outflow.cash) * natural;
  let spendScale = natural;
  let cashScale = natural;
  if (atNatural > dailyBudget && outflow.merchant + outflow.cash > 0) {
    // Tight budgets buy cheaper, down to a floor below which prices stop being believable; past
    // it, the reserve in `settle` declines what the customer cannot afford. The high-volume
    // profile has no floor: its fifteen entries a day must fit one salary.
    const floor = profile === 'high_volume' ? 0 : 0.6 * natural;
    spendScale = cashScale = Math.max(floor, dailyBudget / (outflow.merchant + outflow.cash));
  } else if (outflow.cash > 0) {
    // Thin customers take their pay out in cash; others only spend a little more of a large surplus.
    const ceiling = profile === 'thin' ? 12 : 3;
    cashScale = Math.min(ceiling * natural, (dailyBudget - outflow.merchant * natural) / outflow.cash);
  }

  return {
    country,
    currency: bank.currency,
    exp,
    profile,
    seed,
    offsetMs,
    islamic,
    holder,
    city,
    accounts,
    mixes,
    salary,
    rent,
    utility,
    telecom,
    mandates,
    standingOrders,
    subscriptions,
    payees,
    remittance,
    spendScale,
    cashScale,
    reserveMinor: Math.round(fixedMonthly + (rent ? rent.annualMinor / rent.chequesPerYear - rent.annualMinor / 12 : 0)),
    scheduledChance,
  };
}
