import { Agent, fetch as undiciFetch } from 'undici';
import type { BankDefinition } from '../bank.ts';

/**
 * How openlean reaches one bank: every call (discovery, PAR, token, account information) goes
 * through one undici `Agent` that presents openlean's transport certificate (RFC 8705 mutual TLS)
 * and trusts the bank's own CA when one is configured. A certificate-bound access token is only
 * accepted over a connection showing the certificate it was bound to, so the token endpoint and
 * the resource calls must share this agent.
 */
export interface BankTransport {
  /** WHATWG `fetch` with the bank's TLS settings (undici's, so the agent applies). */
  fetch: (input: string | URL, init?: RequestInit) => Promise<Response>;
  close(): Promise<void>;
}

/** Keep-alive connections per bank: enough for a fetch's concurrent pages, few enough to be polite. */
const CONNECTIONS_PER_ORIGIN = 8;

export function createBankTransport(bank: Pick<BankDefinition, 'transport' | 'ca_pem'>): BankTransport {
  const agent = new Agent({
    connections: CONNECTIONS_PER_ORIGIN,
    connect: {
      cert: bank.transport.cert_pem,
      key: bank.transport.key_pem,
      ...(bank.ca_pem ? { ca: bank.ca_pem } : {}),
    },
  });
  return {
    fetch: (input, init) => undiciFetch(input, { ...(init as object), dispatcher: agent }) as unknown as Promise<Response>,
    close: () => agent.close(),
  };
}

/** One transport per bank identifier, made on first use; `close()` ends them all. */
export class BankTransports {
  readonly #byBank = new Map<string, BankTransport>();

  for(bank: BankDefinition): BankTransport {
    let transport = this.#byBank.get(bank.identifier);
    if (!transport) {
      transport = createBankTransport(bank);
      this.#byBank.set(bank.identifier, transport);
    }
    return transport;
  }

  async close(): Promise<void> {
    const all = [...this.#byBank.values()];
    this.#byBank.clear();
    await Promise.all(all.map((t) => t.close()));
  }
}
