import type { BankDefinition, Standard } from './bank.ts';
import type { BankConnector } from './connector.ts';
import { createKsaConnector } from './ksa/connector.ts';
import { createObieConnector, type ObieConnectorOptions } from './obie/connector.ts';
import { createUaeConnector } from './uae/connector.ts';

/** The options every standard's connector takes (the FAPI layer, transports, timeouts, retries). */
export type ConnectorOptions = ObieConnectorOptions;

/**
 * One `BankConnector` for every bank: each call goes to the connector of the bank's `standard`.
 * Exhaustive over `Standard`, so a standard added to `STANDARDS` fails to compile until it has a
 * connector.
 */
export function createConnectors(options: ConnectorOptions): BankConnector {
  const byStandard = {
    'obie-3.1': createObieConnector(options),
    'uae-2.1': createUaeConnector(options),
    'ksa-2022.11': createKsaConnector(options),
  } as const satisfies Record<Standard, BankConnector>;
  const of = (bank: BankDefinition): BankConnector => byStandard[bank.standard];
  return {
    startConsent: (input) => of(input.bank).startConsent(input),
    exchangeCode: (input) => of(input.bank).exchangeCode(input),
    fetchData: (input) => of(input.bank).fetchData(input),
    revokeConsent: (input) => of(input.bank).revokeConsent(input),
  };
}
