import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import type { Fault } from './faults.ts';
import type { Profile } from './generator/model.ts';
import type { ObPermission } from './permissions.ts';

/**
 * The sandbox banks' own state, in their own SQLite file beside openlean's: a bank is another
 * party and shares nothing with openlean's store. Everything a restart must keep lives here, and
 * every read goes to the file, so two processes on one file see each other's consents and tokens.
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

export interface Session {
  id: string;
  bank: string;
  consentId: string;
  redirectUri: string;
  state: string;
  nonce: string | null;
  codeChallenge: string;
  scope: string;
  locale: Locale;
  step: JourneyStep;
  login: string | null;
  otpFailures: number;
  expiresAtMs: number;
}

export interface AuthorizationCode {
  bank: string;
  consentId: string;
  redirectUri: string;
  codeChallenge: string;
  scope: string;
  expiresAtMs: number;
}

export type Grant = 'client_credentials' | 'authorization_code';

export interface AccessToken {
  bank: string;
  grant: Grant;
  consentId: string | null;
  scope: string;
  expiresAtMs: number;
}

export interface RefreshToken {
  bank: string;
  consentId: string;
  scope: string;
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
CREATE TABLE IF NOT EXISTS sessions (
  id TEXT PRIMARY KEY, bank TEXT NOT NULL, consent_id TEXT NOT NULL, redirect_uri TEXT NOT NULL, state TEXT NOT NULL,
  nonce TEXT, code_challenge TEXT NOT NULL, scope TEXT NOT NULL, locale TEXT NOT NULL, step TEXT NOT NULL, login TEXT,
  otp_failures INTEGER NOT NULL, expires_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS codes (
  hash TEXT PRIMARY KEY, bank TEXT NOT NULL, consent_id TEXT NOT NULL, redirect_uri TEXT NOT NULL,
  code_challenge TEXT NOT NULL, scope TEXT NOT NULL, expires_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS access_tokens (
  hash TEXT PRIMARY KEY, bank TEXT NOT NULL, grant_type TEXT NOT NULL, consent_id TEXT, scope TEXT NOT NULL, expires_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS refresh_tokens (
  hash TEXT PRIMARY KEY, bank TEXT NOT NULL, consent_id TEXT NOT NULL, scope TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS users (
  bank TEXT NOT NULL, login TEXT NOT NULL, profile TEXT NOT NULL, faults TEXT NOT NULL, PRIMARY KEY (bank, login)
);
CREATE TABLE IF NOT EXISTS bank_faults (bank TEXT PRIMARY KEY, faults TEXT NOT NULL);
`;

/** Tokens and codes are stored as SHA-256 digests: the file alone does not let anyone call the bank. */
const digest = (secret: string) => createHash('sha256').update(secret).digest('base64url');

/** 256 random bits, URL-safe: codes, tokens and journey ids. */
export const randomSecret = () => randomBytes(32).toString('base64url');

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
    insertSession: db.prepare(
      `INSERT INTO sessions (id, bank, consent_id, redirect_uri, state, nonce, code_challenge, scope, locale, step, login, otp_failures, expires_at)
       VALUES (@id, @bank, @consentId, @redirectUri, @state, @nonce, @codeChallenge, @scope, @locale, 'login', NULL, 0, @expiresAtMs)`,
    ),
    session: db.prepare<[string, string], Record<string, unknown>>('SELECT * FROM sessions WHERE id = ? AND bank = ?'),
    updateSession: db.prepare('UPDATE sessions SET step = @step, login = @login, otp_failures = @otpFailures WHERE id = @id AND step = @from'),
    insertCode: db.prepare(
      'INSERT INTO codes (hash, bank, consent_id, redirect_uri, code_challenge, scope, expires_at) VALUES (@hash, @bank, @consentId, @redirectUri, @codeChallenge, @scope, @expiresAtMs)',
    ),
    takeCode: db.prepare<[string, string], Record<string, unknown>>('DELETE FROM codes WHERE hash = ? AND bank = ? RETURNING *'),
    insertAccess: db.prepare(
      'INSERT INTO access_tokens (hash, bank, grant_type, consent_id, scope, expires_at) VALUES (@hash, @bank, @grant, @consentId, @scope, @expiresAtMs)',
    ),
    access: db.prepare<[string], Record<string, unknown>>('SELECT * FROM access_tokens WHERE hash = ?'),
    insertRefresh: db.prepare('INSERT INTO refresh_tokens (hash, bank, consent_id, scope) VALUES (@hash, @bank, @consentId, @scope)'),
    takeRefresh: db.prepare<[string, string], Record<string, unknown>>('DELETE FROM refresh_tokens WHERE hash = ? AND bank = ? RETURNING *'),
    purge: [
      db.prepare('DELETE FROM access_tokens WHERE expires_at < ?'),
      db.prepare('DELETE FROM codes WHERE expires_at < ?'),
      db.prepare('DELETE FROM sessions WHERE expires_at < ?'),
    ],
    user: db.prepare<[string, string], { profile: Profile; faults: string }>('SELECT profile, faults FROM users WHERE bank = ? AND login = ?'),
    putUser: db.prepare(
      'INSERT INTO users (bank, login, profile, faults) VALUES (@bank, @login, @profile, @faults) ON CONFLICT (bank, login) DO UPDATE SET profile = excluded.profile, faults = excluded.faults',
    ),
    bankFaults: db.prepare<[string], { faults: string }>('SELECT faults FROM bank_faults WHERE bank = ?'),
    putBankFaults: db.prepare('INSERT INTO bank_faults (bank, faults) VALUES (@bank, @faults) ON CONFLICT (bank) DO UPDATE SET faults = excluded.faults'),
  };

  const issueTokens = db.transaction((token: AccessToken, nowMs: number) => {
    for (const stmt of q.purge) stmt.run(nowMs);
    const access = randomSecret();
    q.insertAccess.run({ hash: digest(access), ...token });
    let refresh: string | null = null;
    if (token.grant === 'authorization_code' && token.consentId) {
      refresh = randomSecret();
      q.insertRefresh.run({ hash: digest(refresh), bank: token.bank, consentId: token.consentId, scope: token.scope });
    }
    return { access, refresh };
  });

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

    createSession(session: Omit<Session, 'step' | 'login' | 'otpFailures'>): void {
      q.insertSession.run({ ...session });
    },

    session(bank: string, id: string, nowMs: number): Session | null {
      const r = q.session.get(id, bank);
      if (!r || (r.expires_at as number) < nowMs) return null;
      return {
        id: r.id as string,
        bank: r.bank as string,
        consentId: r.consent_id as string,
        redirectUri: r.redirect_uri as string,
        state: r.state as string,
        nonce: r.nonce as string | null,
        codeChallenge: r.code_challenge as string,
        scope: r.scope as string,
        locale: r.locale as Locale,
        step: r.step as JourneyStep,
        login: r.login as string | null,
        otpFailures: r.otp_failures as number,
        expiresAtMs: r.expires_at as number,
      };
    },

    /** Advances a journey from the step it was read at; false when another request moved it first. */
    updateSession(session: Session, from: JourneyStep): boolean {
      return q.updateSession.run({ id: session.id, step: session.step, login: session.login, otpFailures: session.otpFailures, from }).changes === 1;
    },

    createCode(code: AuthorizationCode): string {
      const secret = randomSecret();
      q.insertCode.run({ hash: digest(secret), ...code });
      return secret;
    },

    /** Single use: the code is gone once read, whether or not the exchange then succeeds. */
    takeCode(bank: string, code: string, nowMs: number): AuthorizationCode | null {
      const r = q.takeCode.get(digest(code), bank);
      if (!r || (r.expires_at as number) < nowMs) return null;
      return {
        bank: r.bank as string,
        consentId: r.consent_id as string,
        redirectUri: r.redirect_uri as string,
        codeChallenge: r.code_challenge as string,
        scope: r.scope as string,
        expiresAtMs: r.expires_at as number,
      };
    },

    /** An access token, and for a consent's token a refresh token too; expired rows go while we are here. */
    issueTokens(token: AccessToken, nowMs: number): { access: string; refresh: string | null } {
      return issueTokens(token, nowMs);
    },

    accessToken(token: string, nowMs: number): AccessToken | null {
      const r = q.access.get(digest(token));
      if (!r || (r.expires_at as number) <= nowMs) return null;
      return { bank: r.bank as string, grant: r.grant_type as Grant, consentId: r.consent_id as string | null, scope: r.scope as string, expiresAtMs: r.expires_at as number };
    },

    /** Rotation: the refresh token is gone once read. */
    takeRefreshToken(bank: string, token: string): RefreshToken | null {
      const r = q.takeRefresh.get(digest(token), bank);
      return r ? { bank: r.bank as string, consentId: r.consent_id as string, scope: r.scope as string } : null;
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
