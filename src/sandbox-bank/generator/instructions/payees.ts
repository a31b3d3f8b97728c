import { counterpartyAccountNumber, ibanIn, type CounterpartyBank } from '../countries/index.ts';
import type { CashAccount, FinancialInstitution, GeneratedBeneficiary } from '../model.ts';
import type { CustomerPlan, PlanContext } from '../plan.ts';
import { deriveSeed, seedHex } from '../prng.ts';

/** Whom the customer pays: the account a payment instruction credits, and the payees they saved. */

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

/** Saves a payee with an account at `bank`; beneficiary ids follow the order payees are saved in. */
export function addPayee(ctx: PlanContext, role: Payee['role'], name: string, bank: CounterpartyBank, type: Payee['type'], reference: string): Payee {
  const payee: Payee = {
    name,
    bank,
    iban: ibanIn(bank.country, bank.ibanCode, counterpartyAccountNumber(ctx.rng, bank)),
    beneficiaryId: seedHex(deriveSeed(ctx.seed, 0xbe0, ctx.payees.length), 0),
    type,
    reference,
    role,
  };
  ctx.payees.push(payee);
  return payee;
}

export function agentOf(creditor: Creditor): FinancialInstitution {
  return { schemeName: 'UK.OBIE.BICFI', identification: creditor.bank.bic, name: creditor.bank.name };
}

export function accountOf(creditor: Creditor): CashAccount {
  return { schemeName: 'UK.OBIE.IBAN', identification: creditor.iban, name: creditor.name };
}

export function beneficiariesOf(plan: CustomerPlan): GeneratedBeneficiary[] {
  return plan.payees.map((payee) => ({
    beneficiaryId: payee.beneficiaryId,
    beneficiaryType: payee.type,
    reference: payee.reference,
    creditorAgent: agentOf(payee),
    creditorAccount: accountOf(payee),
  }));
}
