import type { JsonWebKey } from 'node:crypto';
import { sql, type Selectable } from 'kysely';
import type { Fault } from './faults.ts';
import type { Profile } from './generator/model.ts';
import type { ObPermission } from './permissions.ts';
import { openStateDatabase } from './state/database.ts';
import type { ConsentTable, JourneyTable } from './state/schema.ts';

/**
 * The sandbox banks' own state, in their own SQLite file beside openlean's: a bank is another
 * party and shares nothing with openlean's store. Everything a restart must keep lives here (oidc-provider's
 * grants, tokens and interactions included), and every read goes to the file, so two processes on
 * one file see each other's consents and tokens.
 */

/** Stored statuses; `Expired` is derived when read (docs/sandbox-banks.md). */
export type StoredConsentStatus = 'AwaitingAuthorisation' | 'Authorised' | 'Rejected' | 'Revoked';

export interface Consent {
  id: string;
  bank: string;
  status: StoredConsentStatus;
  permissions: ObPermission[];
  createdAt: string;
  statusUpdatedAt: string;
  expiresAt: string | null;
  transactionsFrom: string | null;
  transactionsTo: string | null;
  /** Who authorised it, and which of their accounts; null until authorised. */
  login: string | null;
  accountIds: string[] | null;
}

export type JourneyStep = 'login' | 'otp' | 'accounts' | 'done';

/** Where the user is in the bank's pages for one oidc-provider interaction (its `uid`). */
export interface Journey {
  uid: string;
  bank: string;
  step: JourneyStep;
  login: string | null;
  otpFailures: number;
  expiresAtMs: number;
}

/** A bank's own signing keys (private JWKs) and the algorithm its ID tokens are signed with; `version` grows with each rotation. */
export interface BankKeys {
  jwks: { keys: JsonWebKey[] };
  idTokenAlg: string;
  /** Secret for the provider's cookie signatures, kept so cookies outlive a restart. */
  cookieSecret: string;
  version: number;
}

/** Faults switched on, each with the instant (ms) it was. */
export type FaultSwitches = Partial<Record<Fault, number>>;

export interface UserSettings {
  profile: Profile;
  faults: FaultSwitches;
}


const toConsent = (r: Selectable<ConsentTable>): Consent => ({
  id: r.id,
  bank: r.bank,
  status: r.status,
  permissions: JSON.parse(r.permissions) as ObPermission[],
  createdAt: r.created_at,
  statusUpdatedAt: r.status_updated_at,
  expiresAt: r.expires_at,
  transactionsFrom: r.transactions_from,
  transactionsTo: r.transactions_to,
  login: r.login,
  accountIds: r.account_ids === null ? null : (JSON.parse(r.account_ids) as string[]),
});

const toJourney = (r: Selectable<JourneyTable>): Journey => ({
  uid: r.uid,
  bank: r.bank,
  step: r.step,
  login: r.login,
  otpFailures: r.otp_failures,
  expiresAtMs: r.expires_at,
});

export type SandboxState = Awaited<ReturnType<typeof openState>>;

/** Opens (creating and migrating as needed) the state file in `dataDir`. */
export async function openState(dataDir: string) {
  const { db, first, run, close } = await openStateDatabase(dataDir);
  const oidcModel = (bank: string, model: string) => db.selectFrom('oidc_models').select(['payload', 'expires_at']).where('bank', '=', bank).where('model', '=', model);

  return {
    createConsent(input: { id: string; bank: string; permissions: ObPermission[]; at: string; expiresAt: string | null; transactionsFrom: string | null; transactionsTo: string | null }): void {
      run(
        db.insertInto('consents').values({
          id: input.id,
          bank: input.bank,
          status: 'AwaitingAuthorisation',
          permissions: JSON.stringify(input.permissions),
          created_at: input.at,
          status_updated_at: input.at,
          expires_at: input.expiresAt,
          transactions_from: input.transactionsFrom,
          transactions_to: input.transactionsTo,
        }),
      );
    },

    consent(bank: string, id: string): Consent | null {
      const r = first(db.selectFrom('consents').selectAll().where('id', '=', id).where('bank', '=', bank));
      return r ? toConsent(r) : null;
    },

    /** False when the consent was no longer awaiting authorisation. */
    authoriseConsent(id: string, login: string, accountIds: string[], at: string): boolean {
      const update = db
        .updateTable('consents')
        .set({ status: 'Authorised', status_updated_at: at, login, account_ids: JSON.stringify(accountIds) })
        .where('id', '=', id)
        .where('status', '=', 'AwaitingAuthorisation');
      return run(update) === 1;
    },

    /** Moves the consent to `status` if it is in one of `from`; false otherwise. */
    setConsentStatus(id: string, status: StoredConsentStatus, from: StoredConsentStatus[], at: string): boolean {
      return run(db.updateTable('consents').set({ status, status_updated_at: at }).where('id', '=', id).where('status', 'in', from)) === 1;
    },

    /** The journey of an interaction, started at the sign-in step the first time it is asked for. */
    journey(bank: string, uid: string, nowMs: number, ttlMs: number): Journey | null {
      run(db.deleteFrom('journeys').where('expires_at', '<', nowMs));
      run(
        db
          .insertInto('journeys')
          .values({ uid, bank, step: 'login', login: null, otp_failures: 0, expires_at: nowMs + ttlMs })
          .onConflict((c) => c.columns(['bank', 'uid']).doNothing()),
      );
      const r = first(db.selectFrom('journeys').selectAll().where('bank', '=', bank).where('uid', '=', uid));
      return r ? toJourney(r) : null;
    },

    /** Advances a journey from the step it was read at; false when another request moved it first. */
    updateJourney(journey: Journey, from: JourneyStep): boolean {
      const update = db
        .updateTable('journeys')
        .set({ step: journey.step, login: journey.login, otp_failures: journey.otpFailures })
        .where('bank', '=', journey.bank)
        .where('uid', '=', journey.uid)
        .where('step', '=', from);
      return run(update) === 1;
    },

    /**
     * oidc-provider's artifacts (the adapter, authorization-server/adapter.ts). Expired rows go on
     * every write; reads treat them as gone.
     */
    oidc: {
      upsert(bank: string, model: string, id: string, payload: Record<string, unknown>, expiresAtMs: number | null, nowMs: number): void {
        run(db.deleteFrom('oidc_models').where('expires_at', '<', nowMs));
        const keys = {
          payload: JSON.stringify(payload),
          grant_id: typeof payload.grantId === 'string' ? payload.grantId : null,
          uid: typeof payload.uid === 'string' ? payload.uid : null,
          user_code: typeof payload.userCode === 'string' ? payload.userCode : null,
          expires_at: expiresAtMs,
        };
        run(
          db
            .insertInto('oidc_models')
            .values({ bank, model, id, ...keys })
            .onConflict((c) => c.columns(['bank', 'model', 'id']).doUpdateSet(keys)),
        );
      },
      find(bank: string, model: string, by: 'id' | 'uid' | 'userCode', value: string, nowMs: number): Record<string, unknown> | undefined {
        const column = ({ id: 'id', uid: 'uid', userCode: 'user_code' } as const)[by];
        const r = first(oidcModel(bank, model).where(column, '=', value));
        if (!r || (r.expires_at !== null && r.expires_at <= nowMs)) return undefined;
        return JSON.parse(r.payload) as Record<string, unknown>;
      },
      consume(bank: string, model: string, id: string, atSeconds: number): void {
        run(
          db
            .updateTable('oidc_models')
            .set({ payload: sql<string>`json_set(payload, '$.consumed', ${atSeconds})` })
            .where('bank', '=', bank)
            .where('model', '=', model)
            .where('id', '=', id),
        );
      },
      destroy(bank: string, model: string, id: string): void {
        run(db.deleteFrom('oidc_models').where('bank', '=', bank).where('model', '=', model).where('id', '=', id));
      },
      revokeByGrantId(bank: string, grantId: string): void {
        run(db.deleteFrom('oidc_models').where('bank', '=', bank).where('grant_id', '=', grantId));
      },
    },

    /** The bank's keys, created by `create` the first time they are asked for (two processes agree on the first write). */
    bankKeys(bank: string, create: () => Omit<BankKeys, 'version'>): BankKeys {
      const read = db.selectFrom('bank_keys').selectAll().where('bank', '=', bank);
      let r = first(read);
      if (!r) {
        const fresh = create();
        run(
          db
            .insertInto('bank_keys')
            .values({ bank, jwks: JSON.stringify(fresh.jwks), id_token_alg: fresh.idTokenAlg, cookie_secret: fresh.cookieSecret, version: 1 })
            .onConflict((c) => c.column('bank').doNothing()),
        );
        r = first(read)!;
      }
      return { jwks: JSON.parse(r.jwks) as BankKeys['jwks'], idTokenAlg: r.id_token_alg, cookieSecret: r.cookie_secret, version: r.version };
    },

    /** Replaces the signing keys and ID-token algorithm; the version moves on so every process rebuilds its provider. */
    rotateBankKeys(bank: string, jwks: BankKeys['jwks'], idTokenAlg: string): void {
      run(
        db
          .updateTable('bank_keys')
          .set((eb) => ({ jwks: JSON.stringify(jwks), id_token_alg: idTokenAlg, version: eb('version', '+', 1) }))
          .where('bank', '=', bank),
      );
    },

    user(bank: string, login: string): UserSettings {
      const r = first(db.selectFrom('users').select(['profile', 'faults']).where('bank', '=', bank).where('login', '=', login));
      return r ? { profile: r.profile, faults: JSON.parse(r.faults) as FaultSwitches } : { profile: 'default', faults: {} };
    },

    putUser(bank: string, login: string, settings: UserSettings): void {
      const values = { profile: settings.profile, faults: JSON.stringify(settings.faults) };
      run(
        db
          .insertInto('users')
          .values({ bank, login, ...values })
          .onConflict((c) => c.columns(['bank', 'login']).doUpdateSet(values)),
      );
    },

    bankFaults(bank: string): FaultSwitches {
      const r = first(db.selectFrom('bank_faults').select('faults').where('bank', '=', bank));
      return r ? (JSON.parse(r.faults) as FaultSwitches) : {};
    },

    putBankFaults(bank: string, faults: FaultSwitches): void {
      const values = { faults: JSON.stringify(faults) };
      run(
        db
          .insertInto('bank_faults')
          .values({ bank, ...values })
          .onConflict((c) => c.column('bank').doUpdateSet(values)),
      );
    },

    close,
  };
}
