import type { SandboxBankProfile } from '../profiles.ts';
import { dayFromDate } from './calendar.ts';
import { ibanIn, type Country } from './countries/index.ts';
import type { AccountSubType, GeneratedParty, Person, Profile } from './model.ts';
import { Rng, deriveSeed, seedHex, type Seed } from './prng.ts';
import { roundedMinor } from './amounts.ts';

/** The fixed facts of one account: everything about it that does not come from its history. */
export interface AccountPlan {
  index: number;
  subType: AccountSubType;
  accountId: string;
  seed: Seed;
  /** Prefix of the account's transaction ids, so ids differ between accounts. */
  txTag: string;
  /** Local day number the account opened; its history starts here. */
  openDay: number;
  iban: string;
  accountNumber: string;
  description: string;
  nickname: string | null;
  /** Signed minor units: a loan opens owing its principal. */
  openingMinor: number;
  creditLimitMinor: number | null;
  /** Annual profit (interest) rate in basis points: savings earn it, loans charge it. */
  rateBp: number;
  /** Day of month a card's statement is cut or a loan's instalment is due. */
  cycleDay: number;
  loan: LoanTerms | null;
  parties: GeneratedParty[];
}

export interface LoanTerms {
  termMonths: number;
  installmentMinor: number;
  /** Who the loan paid for: most of the disbursement leaves the current account for them days later. */
  dealer: string;
  purchaseMinor: number;
  purchaseDelayDays: number;
}

/** Salts an account's seed with its type, so a savings account and a card in the same position differ. */
const SUBTYPE_SALT: Readonly<Record<AccountSubType, number>> = {
  CurrentAccount: 1,
  Savings: 2,
  CreditCard: 3,
  Loan: 4,
};

function chooseSubTypes(rng: Rng, profile: Profile): AccountSubType[] {
  const types: AccountSubType[] = ['CurrentAccount'];
  const odds: Record<Profile, [number, number, number]> = {
    default: [0.6, 0.65, 0.45],
    thin: [0.3, 0, 0],
    // The ingest benchmark needs three busy accounts in every high-volume customer.
    high_volume: [1, 1, 0.4],
  };
  const [savings, card, loan] = odds[profile];
  if (rng.chance(savings)) types.push('Savings');
  if (rng.chance(card)) types.push('CreditCard');
  if (rng.chance(loan)) types.push('Loan');
  return types;
}

function product(rng: Rng, subType: AccountSubType, islamic: boolean, country: Country): { name: string; nickname: string | null } {
  switch (subType) {
    case 'CurrentAccount':
      return {
        name: rng.pick(['Current Account', 'Salary Account', 'Everyday Current Account']),
        nickname: rng.pick(['Main', 'Salary', 'Everyday', null]),
      };
    case 'Savings':
      return {
        name: islamic ? rng.pick(['Wakala Savings Account', 'Mudaraba Savings Account']) : rng.pick(['Savings Account', 'e-Saver Account']),
        nickname: rng.pick(country.savingsNicknames),
      };
    case 'CreditCard':
      return {
        name: islamic ? rng.pick(['Platinum Covered Card', 'Signature Covered Card']) : rng.pick(['Platinum Credit Card', 'Signature Credit Card', 'World Elite Credit Card']),
        nickname: rng.pick([null, 'Family card', 'Travel card']),
      };
    case 'Loan':
      return { name: islamic ? 'Personal Finance' : 'Personal Loan', nickname: rng.pick(['Car loan', null]) };
  }
}

/** Instalment per unit of principal of an annuity loan; loan terms are plan constants, so floats are fine here. */
function annuityFactor(rateBp: number, termMonths: number): number {
  const r = rateBp / 10_000 / 12;
  return r / (1 - Math.pow(1 + r, -termMonths));
}

/** Banks cap a personal loan's instalment at this share of salary (debt-burden ratio). */
const MAX_INSTALLMENT_SHARE = 0.3;

export interface AccountContext {
  bank: SandboxBankProfile;
  country: Country;
  exp: number;
  profile: Profile;
  seed: Seed;
  islamic: boolean;
  /** Balances, limits and loans are sized on the customer's monthly salary. */
  salaryMinor: number;
  asOfDay: number;
  holder: Person;
  spouse: Person;
}

/**
 * The customer's accounts, the current account first. Opening dates fall in February and March
 * 2025, so a 2026 refresh sees ten to twenty-two months of history; an `asOf` before that (only a
 * misset clock) opens the accounts on the `asOf` day instead of placing them in the future.
 */
export function planAccounts(ctx: AccountContext): AccountPlan[] {
  const rng = new Rng(deriveSeed(ctx.seed, 0xacc0));
  const subTypes = chooseSubTypes(rng, ctx.profile);
  const brand = ctx.bank.name.split(' ')[0]!;
  const cif = ctx.holder.partyNumber;
  const branch = rng.digits(4);
  const currentOpen = dayFromDate(2025, 2, 1) + rng.int(0, 27);
  const jointCurrent = ctx.profile === 'default' && rng.chance(0.2);
  const jointSavings = ctx.profile !== 'thin' && rng.chance(0.25);
  const supplementaryCard = rng.chance(0.25);

  return subTypes.map((subType, index) => {
    const seed = deriveSeed(ctx.seed, 0xa000 + index, SUBTYPE_SALT[subType]);
    const own = new Rng(seed);
    const fixedOpen = index === 0 ? currentOpen : currentOpen + own.int(0, 30);
    const serial = String(100 + index * 10 + own.int(0, 9));
    // Drawn whatever the country's format, so that the format does not shift the account's later draws.
    const digit = own.digits(1);
    const accountNumber = ctx.country.accountNumber({ branch, cif, serial, digit });
    const { name, nickname } = product(own, subType, ctx.islamic, ctx.country);
    const joint = (subType === 'CurrentAccount' && jointCurrent) || (subType === 'Savings' && jointSavings);
    const parties: GeneratedParty[] = [
      { person: ctx.holder, partyType: joint ? 'Joint' : 'Sole', accountRole: 'UK.OBIE.Principal' },
    ];
    if (joint) parties.push({ person: ctx.spouse, partyType: 'Joint', accountRole: 'UK.OBIE.SecondaryOwner' });
    if (subType === 'CreditCard' && supplementaryCard) {
      parties.push({ person: ctx.spouse, partyType: 'Delegate', accountRole: 'UK.OBIE.OtherParty' });
    }

    const { country, exp } = ctx;
    const salary = ctx.salaryMinor / 10 ** exp;
    let openingMinor = 0;
    let creditLimitMinor: number | null = null;
    let rateBp = 0;
    let loan: LoanTerms | null = null;
    switch (subType) {
      case 'CurrentAccount':
        openingMinor = roundedMinor(salary * own.logUniform(0.8, 1.5), exp, 0);
        break;
      case 'Savings':
        openingMinor = roundedMinor(salary * own.logUniform(0.3, 3), exp, 0);
        rateBp = own.int(150, 425);
        break;
      case 'CreditCard':
        creditLimitMinor = roundedMinor(salary * own.logUniform(1, 2.5), exp, country.cardLimitRoundTo);
        break;
      case 'Loan': {
        rateBp = own.int(450, 799);
        const termMonths = own.pick([36, 48, 60]);
        const factor = annuityFactor(rateBp, termMonths);
        const principal = Math.min(salary * own.logUniform(4, 14), (MAX_INSTALLMENT_SHARE * salary) / factor);
        const principalMinor = roundedMinor(principal, exp, country.loanRoundTo);
        const unit = 10 ** exp;
        openingMinor = -principalMinor;
        loan = {
          termMonths,
          installmentMinor: Math.ceil((principalMinor * factor) / unit) * unit,
          dealer: own.pick(country.carDealers),
          purchaseMinor: roundedMinor((principalMinor / unit) * (0.85 + 0.15 * own.next()), exp, country.loanRoundTo / 10),
          purchaseDelayDays: own.int(1, 4),
        };
        break;
      }
    }
    return {
      index,
      subType,
      accountId: seedHex(seed, 0) + seedHex(seed, 1) + seedHex(seed, 2),
      seed,
      txTag: seedHex(seed, 3).toUpperCase(),
      openDay: Math.min(fixedOpen, ctx.asOfDay),
      iban: ibanIn(country.code, ctx.bank.iban_bank_code, accountNumber),
      accountNumber,
      description: `${brand} ${name}`,
      nickname,
      openingMinor,
      creditLimitMinor,
      rateBp,
      cycleDay: own.int(1, 28),
      loan,
      parties,
    };
  });
}
