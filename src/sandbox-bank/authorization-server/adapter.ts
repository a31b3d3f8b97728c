import type { Adapter, AdapterPayload } from 'oidc-provider';
import type { SandboxState } from '../state.ts';

/**
 * oidc-provider's storage (its `Adapter` interface, lib/adapters/memory_adapter.js is the
 * reference) on the sandbox banks' own SQLite file: grants, codes, tokens, sessions and
 * interactions survive a restart and are shared by processes on one file, as consents are.
 * One class per bank; oidc-provider makes one instance per model name (`AccessToken`, `Grant`, …).
 */
export function sqliteAdapter(state: SandboxState, bank: string): new (model: string) => Adapter {
  return class SqliteAdapter implements Adapter {
    readonly #model: string;

    constructor(model: string) {
      this.#model = model;
    }

    /** `expiresIn` is in seconds; none means it never expires (Client, for instance). */
    async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
      const nowMs = Date.now();
      state.oidc.upsert(bank, this.#model, id, payload, expiresIn ? nowMs + expiresIn * 1000 : null, nowMs);
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      return state.oidc.find(bank, this.#model, 'id', id, Date.now());
    }

    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      return state.oidc.find(bank, this.#model, 'uid', uid, Date.now());
    }

    async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      return state.oidc.find(bank, this.#model, 'userCode', userCode, Date.now());
    }

    /** Marks it used (epoch seconds); oidc-provider refuses a consumed code or refresh token and revokes its grant. */
    async consume(id: string): Promise<void> {
      state.oidc.consume(bank, this.#model, id, Math.floor(Date.now() / 1000));
    }

    async destroy(id: string): Promise<void> {
      state.oidc.destroy(bank, this.#model, id);
    }

    /** Every artifact of the grant, whatever its model. */
    async revokeByGrantId(grantId: string): Promise<void> {
      state.oidc.revokeByGrantId(bank, grantId);
    }
  };
}
