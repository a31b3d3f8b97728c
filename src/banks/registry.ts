import type { Mode } from '../domain/mode.ts';
import type { BankDefinition } from './bank.ts';

/** The banks this deployment can connect to, as the API, the link pages and the workers see them. */
export interface BankRegistry {
  /** The banks customers may choose: the configured ones, plus the sandbox banks in sandbox mode. */
  list(): readonly BankDefinition[];
  /** The bank `identifier` names, if `list()` holds it; a sandbox bank in production mode never is. */
  get(identifier: string): BankDefinition | undefined;
}

export interface BankRegistryOptions {
  /** In `production` mode the sandbox banks (`sandbox: true`) are neither listed nor found. */
  mode: Mode;
}

/**
 * A registry over `source`, the configured banks plus the sandbox banks. `source` is read at every
 * call because the sandbox banks' entries exist only once the server listens (their issuer holds
 * its port); while it keeps returning the same array, the lookup built over it is reused.
 *
 * @example createBankRegistry(() => banks, { mode: 'production' }).get('MY_BANK')
 */
export function createBankRegistry(source: () => readonly BankDefinition[], options: BankRegistryOptions): BankRegistry {
  let seen: readonly BankDefinition[] | null = null;
  let visible: readonly BankDefinition[] = [];
  let byId = new Map<string, BankDefinition>();
  const current = () => {
    const banks = source();
    if (banks !== seen) {
      seen = banks;
      visible = options.mode === 'production' ? banks.filter((b) => !b.sandbox) : banks;
      byId = new Map(visible.map((b) => [b.identifier, b]));
    }
    return { visible, byId };
  };
  return {
    list: () => current().visible,
    get: (identifier) => current().byId.get(identifier),
  };
}
