import type { Standard } from './bank.ts';
import { BankError, type BankConnector } from './connector.ts';
import { createKsaConnector } from './ksa/connector.ts';
import { createObieConnector, type ObieConnectorOptions } from './obie/connector.ts';

/** The options every standard's connector takes (the FAPI layer, transports, timeouts, retries). */
export type ConnectorOptions = ObieConnectorOptions;

const FACTORIES = {
  'obie-3.1': createObieConnector,
  'ksa-2022.11': createKsaConnector,
} as const satisfies Record<Standard, (options: ConnectorOptions) => BankConnector>;

/**
 * One `BankConnector` that hands each call to the connector of the bank's `standard`; the map is
 * exhaustive, so a standard added to `STANDARDS` without a connector fails to compile.
 */
export function createConnector(options: ConnectorOptions): BankConnector {
  const connectors = Object.fromEntries(Object.entries(FACTORIES).map(([standard, create]) => [standard, create(options)])) as Record<Standard, BankConnector>;
  const of = (standard: Standard) => {
    const connector = connectors[standard];
    if (!connector) throw new BankError('rejected', `no connector speaks ${standard}`);
    return connector;
  };
  return {
    startConsent: (input) => of(input.bank.standard).startConsent(input),
    exchangeCode: (input) => of(input.bank.standard).exchangeCode(input),
    fetchData: (input) => of(input.bank.standard).fetchData(input),
    revokeConsent: (input) => of(input.bank.standard).revokeConsent(input),
  };
}
