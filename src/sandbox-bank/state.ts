import type { JsonWebKey } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import type { Fault } from './faults.ts';
import type { Profile } from './generator/model.ts';
import type { ObPermission } from './permissions.ts';

/**
 * The sandbox banks' own state, in their own SQLite file beside openlean's: a bank is another
 * party and shares nothing with openlean's store. Everything a restart must keep lives here (oidc-provider's
 * grants, tokens and interactions included), and every read goes to the file, so two processes on
 * one file see each other's consents and tokens.
 */

const STATE_FILE = 'sandbox-banks.db';

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
export type Locale = 'en' | 'ar';

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

/** One oidc-provider artifact (grant, token, code, interaction, session…) as its adapter stores it. */
export interface OidcRecord {
  payload: Record<string, unknown>;
  /** Epoch ms; null when it never expires. */
  expiresAtMs: number | null;
}

/** Faults switched on, each with the instant (ms) it was. */
export type FaultSwitches = Partial<Record<Fault, number>>;

export interface UserSettings {
  profile: Profile;
  faults: FaultSwitches;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS consents (
  id TEXT PRIMARY KEY, bank TEXT NOT NULL, status TEXT NOT NULL, permissions TEXT NOT NULL,
  created_at TEXT NOT NULL, status_updated_at TEXT NOT NULL, expires_at TEXT, transactions_from TEXT,
  transactions_to TEXT, login TEXT, account_ids TEXT
);
CREATE TABLE IF NOT EXISTS journeys (
  uid TEXT NOT NULL, bank TEXT NOT NULL, step TEXT NOT NULL, login TEXT, otp_failures INTEGER NOT NULL, expires_at INTEGER NOT NULL,
  PRIMARY KEY (bank, uid)
);
CREATE TABLE IF NOT EXISTS oidc_models (
  bank TEXT NOT NULL, model TEXT NOT NULL, id TEXT NOT NULL, payload TEXT NOT NULL, grant_id TEXT, uid TEXT, user_code TEXT,
  expires_at INTEGER, PRIMARY KEY (bank, model, id)
);
CREATE INDEX IF NOT EXISTS oidc_models_grant ON oidc_models (bank, grant_id);
CREATE INDEX IF NOT EXISTS oidc_models_uid ON oidc_models (bank, model, uid);
CREATE TABLE IF NOT EXISTS bank_keys (bank TEXT PRIMARY KEY, jwks TEXT NOT NULL, id_token_alg TEXT NOT NULL, cookie_secret TEXT NOT NULL, version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS users (
  bank TEXT NOT NULL, login TEXT NOT NULL, profile TEXT NOT NULL, faults TEXT NOT NULL, PRIMARY KEY (bank, login)
);
CREATE TABLE IF NOT EXISTS bank_faults (bank TEXT PRIMARY KEY, faults TEXT NOT NULL);
`;


interface ConsentRecord {
  id: string;
  bank: string;
  status: StoredConsentStatus;
  permissions: string;
  created_at: string;
  status_updated_at: string;
  expires_at: string | null;
  transactions_from: string | null;
  transactions_to: string | null;
  login: string | null;
  account_ids: string | null;
}

const toConsent = (r: ConsentRecord): Consent => ({
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

export type SandboxState = ReturnType<typeof openState>;

export function openState(dataDir: string) {
  fs.mkdirSync(dataDir, { recursive: true });
  const db = new SQLite(path.join(dataDir, STATE_FILE));
  db.pragma('busy_timeout = 5000');
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(SCHEMA);

  const q = {
    insertConsent: db.prepare(
      `INSERT INTO consents (id, bank, status, permissions, created_at, status_updated_at, expires_at, transactions_from, transactions_to)
       VALUES (@id, @bank, 'AwaitingAuthorisation', @permissions, @at, @at, @expires_at, @transactions_from, @transactions_to)`,
    ),
    consent: db.prepare<[string, string], ConsentRecord>('SELECT * FROM consents WHERE id = ? AND bank = ?'),
    authoriseConsent: db.prepare(
      `UPDATE consents SET status = 'Authorised', status_updated_at = @at, login = @login, account_ids = @account_ids
       WHERE id = @id AND status = 'AwaitingAuthorisation'`,
    ),
    setConsentStatus: db.prepare('UPDATE consents SET status = @status, status_updated_at = @at WHERE id = @id AND status IN (SELECT value FROM json_each(@from))'),
    insertJourney: db.prepare(
      `INSERT INTO journeys (uid, bank, step, login, otp_failures, expires_at) VALUES (@uid, @bank, 'login', NULL, 0, @expiresAtMs)
       ON CONFLICT (bank, uid) DO NOTHING`,
    ),
    journey: db.prepare<[string, string], Record<string, unknown>>('SELECT * FROM journeys WHERE bank = ? AND uid = ?'),
    updateJourney: db.prepare('UPDATE journeys SET step = @step, login = @login, otp_failures = @otpFailures WHERE bank = @bank AND uid = @uid AND step = @from'),
    purgeJourneys: db.prepare('DELETE FROM journeys WHERE expires_at < ?'),
    upsertModel: db.prepare(
      `INSERT INTO oidc_models (bank, model, id, payload, grant_id, uid, user_code, expires_at) VALUES (@bank, @model, @id, @payload, @grant_id, @uid, @user_code, @expires_at)
       ON CONFLICT (bank, model, id) DO UPDATE SET payload = excluded.payload, grant_id = excluded.grant_id, uid = excluded.uid, user_code = excluded.user_code, expires_at = excluded.expires_at`,
    ),
    model: db.prepare<[string, string, string], { payload: string; expires_at: number | null }>('SELECT payload, expires_at FROM oidc_models WHERE bank = ? AND model = ? AND id = ?'),
    modelByUid: db.prepare<[string, string, string], { payload: string; expires_at: number | null }>('SELECT payload, expires_at FROM oidc_models WHERE bank = ? AND model = ? AND uid = ?'),
    modelByUserCode: db.prepare<[string, string, string], { payload: string; expires_at: number | null }>(
      'SELECT payload, expires_at FROM oidc_models WHERE bank = ? AND model = ? AND user_code = ?',
    ),
    consumeModel: db.prepare("UPDATE oidc_models SET payload = json_set(payload, '$.consumed', @at) WHERE bank = @bank AND model = @model AND id = @id"),
    destroyModel: db.prepare('DELETE FROM oidc_models WHERE bank = ? AND model = ? AND id = ?'),
    revokeGrant: db.prepare('DELETE FROM oidc_models WHERE bank = ? AND grant_id = ?'),
    purgeModels: db.prepare('DELETE FROM oidc_models WHERE expires_at < ?'),
    bankKeys: db.prepare<[string], { jwks: string; id_token_alg: string; cookie_secret: string; version: number }>('SELECT * FROM bank_keys WHERE bank = ?'),
    insertBankKeys: db.prepare(
      'INSERT INTO bank_keys (bank, jwks, id_token_alg, cookie_secret, version) VALUES (@bank, @jwks, @idTokenAlg, @cookieSecret, 1) ON CONFLICT (bank) DO NOTHING',
    ),
    rotateBankKeys: db.prepare('UPDATE bank_keys SET jwks = @jwks, id_token_alg = @idTokenAlg, version = version + 1 WHERE bank = @bank'),
    user: db.prepare<[string, string], { profile: Profile; faults: string }>('SELECT profile, faults FROM users WHERE bank = ? AND login = ?'),
    putUser: db.prepare(
      'INSERT INTO users (bank, login, profile, faults) VALUES (@bank, @login, @profile, @faults) ON CONFLICT (bank, login) DO UPDATE SET profile = excluded.profile, faults = excluded.faults',
    ),
    bankFaults: db.prepare<[string], { faults: string }>('SELECT faults FROM bank_faults WHERE bank = ?'),
    putBankFaults: db.prepare('INSERT INTO bank_faults (bank, faults) VALUES (@bank, @faults) ON CONFLICT (bank) DO UPDATE SET faults = excluded.faults'),
  };

  return {
    createConsent(input: { id: string; bank: string; permissions: ObPermission[]; at: string; expiresAt: string | null; transactionsFrom: string | null; transactionsTo: string | null }): void {
      q.insertConsent.run({
        id: input.id,
        bank: input.bank,
        permissions: JSON.stringify(input.permissions),
        at: input.at,
        expires_at: input.expiresAt,
        transactions_from: input.transactionsFrom,
        transactions_to: input.transactionsTo,
      });
    },

    consent(bank: string, id: string): Consent | null {
      const r = q.consent.get(id, bank);
      return r ? toConsent(r) : null;
    },

    /** False when the consent was no longer awaiting authorisation. */
    authoriseConsent(id: string, login: string, accountIds: string[], at: string): boolean {
      return q.authoriseConsent.run({ id, login, account_ids: JSON.stringify(accountIds), at }).changes === 1;
    },

    /** Moves the consent to `status` if it is in one of `from`; false otherwise. */
    setConsentStatus(id: string, status: StoredConsentStatus, from: StoredConsentStatus[], at: string): boolean {
      return q.setConsentStatus.run({ id, status, at, from: JSON.stringify(from) }).changes === 1;
    },

    /** The journey of an interaction, started at the sign-in step the first time it is asked for. */
    journey(bank: string, uid: string, nowMs: number, ttlMs: number): Journey | null {
      q.purgeJourneys.run(nowMs);
      q.insertJourney.run({ uid, bank, expiresAtMs: nowMs + ttlMs });
      const r = q.journey.get(bank, uid);
      if (!r) return null;
      return {
        uid: r.uid as string,
        bank: r.bank as string,
        step: r.step as JourneyStep,
        login: r.login as string | null,
        otpFailures: r.otp_failures as number,
        expiresAtMs: r.expires_at as number,
      };
    },

    /** Advances a journey from the step it was read at; false when another request moved it first. */
    updateJourney(journey: Journey, from: JourneyStep): boolean {
      return q.updateJourney.run({ bank: journey.bank, uid: journey.uid, step: journey.step, login: journey.login, otpFailures: journey.otpFailures, from }).changes === 1;
    },

    /**
     * oidc-provider's artifacts (the adapter, authorization-server/adapter.ts). Expired rows go on
     * every write; reads treat them as gone.
     */
    oidc: {
      upsert(bank: string, model: string, id: string, payload: Record<string, unknown>, expiresAtMs: number | null, nowMs: number): void {
        q.purgeModels.run(nowMs);
        q.upsertModel.run({
          bank,
          model,
          id,
          payload: JSON.stringify(payload),
          grant_id: typeof payload.grantId === 'string' ? payload.grantId : null,
          uid: typeof payload.uid === 'string' ? payload.uid : null,
          user_code: typeof payload.userCode === 'string' ? payload.userCode : null,
          expires_at: expiresAtMs,
        });
      },
      find(bank: string, model: string, by: 'id' | 'uid' | 'userCode', value: string, nowMs: number): Record<string, unknown> | undefined {
        const stmt = by === 'id' ? q.model : by === 'uid' ? q.modelByUid : q.modelByUserCode;
        const r = stmt.get(bank, model, value);
        if (!r || (r.expires_at !== null && r.expires_at <= nowMs)) return undefined;
        return JSON.parse(r.payload) as Record<string, unknown>;
      },
      consume(bank: string, model: string, id: string, atSeconds: number): void {
        q.consumeModel.run({ bank, model, id, at: atSeconds });
      },
      destroy(bank: string, model: string, id: string): void {
        q.destroyModel.run(bank, model, id);
      },
      revokeByGrantId(bank: string, grantId: string): void {
        q.revokeGrant.run(bank, grantId);
      },
    },

    /** The bank's keys, created by `create` the first time they are asked for (two processes agree on the first write). */
    bankKeys(bank: string, create: () => Omit<BankKeys, 'version'>): BankKeys {
      let r = q.bankKeys.get(bank);
      if (!r) {
        const fresh = create();
        q.insertBankKeys.run({ bank, jwks: JSON.stringify(fresh.jwks), idTokenAlg: fresh.idTokenAlg, cookieSecret: fresh.cookieSecret });
        r = q.bankKeys.get(bank)!;
      }
      return { jwks: JSON.parse(r.jwks) as BankKeys['jwks'], idTokenAlg: r.id_token_alg, cookieSecret: r.cookie_secret, version: r.version };
    },

    /** Replaces the signing keys and ID-token algorithm; the version moves on so every process rebuilds its provider. */
    rotateBankKeys(bank: string, jwks: BankKeys['jwks'], idTokenAlg: string): void {
      q.rotateBankKeys.run({ bank, jwks: JSON.stringify(jwks), idTokenAlg });
    },

    user(bank: string, login: string): UserSettings {
      const r = q.user.get(bank, login);
      return r ? { profile: r.profile, faults: JSON.parse(r.faults) as FaultSwitches } : { profile: 'default', faults: {} };
    },

    putUser(bank: string, login: string, settings: UserSettings): void {
      q.putUser.run({ bank, login, profile: settings.profile, faults: JSON.stringify(settings.faults) });
    },

    bankFaults(bank: string): FaultSwitches {
      const r = q.bankFaults.get(bank);
      return r ? (JSON.parse(r.faults) as FaultSwitches) : {};
    },

    putBankFaults(bank: string, faults: FaultSwitches): void {
      q.putBankFaults.run({ bank, faults: JSON.stringify(faults) });
    },

    close(): void {
      db.close();
    },
  };
}
