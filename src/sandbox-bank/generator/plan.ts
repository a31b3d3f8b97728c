import type { SandboxBankProfile } from '../profiles.ts';
import { minorUnits } from '../money.ts';
import { planAccounts, type AccountPlan } from './accounts.ts';
import { accountMixes, type ActivityMix } from './activity.ts';
import { roundedMinor } from './amounts.ts';
import { fitBudget } from './budget.ts';
import { calendarDay } from './calendar.ts';
import { COUNTRIES, isGeneratorCountry, type City, type CounterpartyBank, type Country } from './countries/index.ts';
import type { MandatePlan } from './instructions/direct-debits.ts';
import type { Payee } from './instructions/payees.ts';
import type { StandingOrderPlan } from './instructions/standing-orders.ts';
import { planBills, planTelecom, type BillPlan } from './life/bills.ts';
import { planFamilyAndFriends, planFamilySupport } from './life/family-and-friends.ts';
import { planGym } from './life/gym.ts';
import { planInsurance } from './life/insurance.ts';
import { planHomePayee, planRemittance, type RemittancePlan } from './life/remittance.ts';
import { planRent, planRentStandingOrder, type ChequeRentPlan } from './life/rent.ts';
import { drawSalaryMajor, planSalary, type SalaryPlan } from './life/salary.ts';
import { planSavingsOrder } from './life/savings.ts';
import { scheduledChanceOf } from './life/scheduled-payments.ts';
import { planSubscriptions, type SubscriptionPlan } from './life/subscriptions.ts';
import type { Gender, Person, Profile } from './model.ts';
import { addressIn, generatePerson } from './persona.ts';
import { Rng, deriveSeed, seedHex, seedOf, type Seed } from './prng.ts';

/**
 * Everything about a customer that does not change from day to day: who they are, their
 * accounts, income, obligations and payees. The history is then these facts played out over
 * the calendar (ledger.ts).
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
  rentCheques: ChequeRentPlan | null;
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

/** What the life events plan from, and the instructions they set up as they go. */
export interface PlanContext {
  bank: SandboxBankProfile;
  country: Country;
  exp: number;
  /** Thin customers bank little: no friends, rent or memberships through the bank. */
  thin: boolean;
  seed: Seed;
  /** The customer's stream; the events draw from it in the order `planCustomer` calls them. */
  rng: Rng;
  holder: Person;
  expatriate: boolean;
  city: City;
  accounts: AccountPlan[];
  /** Month index the current account opened in. */
  openMonth: number;
  /** The monthly salary before any raise, unrounded: other amounts are sized on it. */
  salaryMajor: number;
  salaryMinor: number;
  /** The country's other banks, where payees hold their accounts. */
  otherBanks: readonly CounterpartyBank[];
  payees: Payee[];
  standingOrders: StandingOrderPlan[];
  mandates: MandatePlan[];
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

/**
 * The customer's plan. The steps draw from the customer's one stream in the order below, some
 * events in two steps around others': the order is part of what a seed generates, so changing it
 * changes every customer.
 */
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

  const salaryMajor = drawSalaryMajor(rng, country);
  const salaryMinor = roundedMinor(salaryMajor, exp, country.salary.roundTo);
  const islamic = bank.islamic;
  const accounts = planAccounts({ bank, country, exp, profile, seed, islamic, salaryMinor, asOfDay, holder, spouse });

  const ctx: PlanContext = {
    bank,
    country,
    exp,
    thin: profile === 'thin',
    seed,
    rng,
    holder,
    expatriate,
    city,
    accounts,
    openMonth: calendarDay(accounts[0]!.openDay).monthIndex,
    salaryMajor,
    salaryMinor,
    otherBanks: country.banks.filter((b) => b.ibanCode !== bank.iban_bank_code),
    payees: [],
    standingOrders: [],
    mandates: [],
  };
  const salary = planSalary(ctx);
  planFamilyAndFriends(ctx);
  const home = planHomePayee(ctx);
  const rent = planRent(ctx);
  planSavingsOrder(ctx);
  planRentStandingOrder(ctx, rent);
  planFamilySupport(ctx);
  const telecom = planTelecom(ctx);
  planInsurance(ctx);
  planGym(ctx);
  const subscriptions = planSubscriptions(ctx);
  const remittance = planRemittance(ctx, home);
  const bills = planBills(ctx, telecom);
  const mixes = accountMixes(rng, accounts, profile);

  const plan = {
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
    salary,
    rentCheques: rent.cheques,
    utility: bills.utility,
    telecom: bills.telecom,
    mandates: ctx.mandates,
    standingOrders: ctx.standingOrders,
    subscriptions,
    payees: ctx.payees,
    remittance,
    mixes,
    scheduledChance: scheduledChanceOf(profile),
  };
  return { ...plan, ...fitBudget(rng, plan, salaryMajor) };
}
