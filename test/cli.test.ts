import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import SQLite from 'better-sqlite3';
import YAML from 'yaml';
import { runOpenlean } from './helpers/cli.ts';
import { freePort } from './helpers/free-port.ts';
import { IMPORTED_ENTRIES, PARTICIPANTS } from './helpers/participants.ts';
import { writeBankCredentials } from './helpers/pki.ts';
import { keyId, keyRing, seal } from '../src/auth/secret-box.ts';
import { verifierAad } from '../src/link/journey.ts';
import { createUntrustedClientCertificate } from '../src/pki/test-pki.ts';
import { sandboxBanksFileEntries } from '../src/sandbox-connections.ts';
import { startFapiSandbox, type FapiSandbox } from './helpers/sandbox-fapi.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const BIN = path.join(ROOT, 'bin', 'openlean.js');

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openlean-cli-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function run(args: string[], env: Record<string, string>) {
  return spawnSync(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60_000 });
}


/** Starts `openlean serve`, resolves with its stdout once the quickstart is printed. */
function serve(env: Record<string, string>) {
  // The sandbox banks' TLS port is any free one: another suite may run a server at the same time.
  const child = spawn(process.execPath, [BIN, 'serve'], { env: { ...process.env, LOG_LEVEL: 'warn', SANDBOX_BANKS_TLS_PORT: '0', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  after(() => child.kill('SIGKILL'));
  let out = '';
  const ready = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      out += chunk;
      if (out.includes('Quick start')) resolve(out);
    });
    child.stderr.on('data', (chunk) => (out += chunk));
    child.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${out}`)));
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, ready, exited };
}

// SQLite only: this is the zero-configuration quickstart, whose default store is a SQLite file in
// DATA_DIR (test/scale/ runs the PostgreSQL deployment's processes).
describe('openlean CLI', () => {
  it('apps create --json prints exactly {"client_id","client_secret"} on one line', () => {
    const dir = tempDir();
    const res = run(['apps', 'create', '--name', 'Acme', '--json'], { DATA_DIR: dir });
    assert.equal(res.status, 0, res.stderr);
    const lines = res.stdout.split('\n').filter(Boolean);
    assert.equal(lines.length, 1);
    const creds = JSON.parse(lines[0]!);
    assert.deepEqual(Object.keys(creds), ['client_id', 'client_secret']);
    assert.match(creds.client_id, /^ck_/);
    assert.match(creds.client_secret, /^sk_/);
    assert.ok(fs.existsSync(path.join(dir, 'openlean.db')));
  });

  it('migrate applies the schema once and is then a no-op, honouring DATABASE_URL', () => {
    const dir = tempDir();
    const url = `sqlite:${path.join(dir, 'elsewhere.db')}`;
    const first = run(['migrate'], { DATABASE_URL: url });
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stdout, /applied: 001-initial/);
    // Progress, migration by migration, as each starts.
    assert.match(first.stderr, /^applying 001-initial…\napplying 002-refreshes…\n/);
    const second = run(['migrate'], { DATABASE_URL: url });
    assert.match(second.stdout, /up to date/);
    assert.ok(fs.existsSync(path.join(dir, 'elsewhere.db')));
  });

  it('rejects bad configuration with a clear message', () => {
    const res = run(['migrate'], { DATA_DIR: tempDir(), PORT: 'eighty' });
    assert.equal(res.status, 2);
    assert.match(res.stderr, /PORT must be an integer/);
  });

  it('prints its version', () => {
    const res = run(['--version'], {});
    assert.equal(res.status, 0, res.stderr);
    assert.equal(res.stdout, `${JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version}\n`);
  });

  it('refuses an application without a name: its users would read " would like to read…"', () => {
    for (const name of ['', '   ']) {
      const res = run(['apps', 'create', '--name', name], { DATA_DIR: tempDir() });
      assert.equal(res.status, 2, res.stdout);
      assert.match(res.stderr, /^openlean: --name must be 1 to 100 characters, not blank/);
    }
  });

  it('says in one line what failed and what to do: a database that is down, a port in use', async () => {
    const oneLine = (res: { status: number | null; stderr: string }, pattern: RegExp) => {
      assert.equal(res.status, 1, res.stderr);
      assert.equal(res.stderr.trimEnd().split('\n').length, 1, res.stderr);
      assert.match(res.stderr, pattern);
    };
    // Nothing listens on a free port: the database is down.
    const down = await freePort();
    oneLine(await runOpenlean(['migrate'], { DATA_DIR: tempDir(), DATABASE_URL: `postgres://postgres@127.0.0.1:${down}/openlean` }), new RegExp(`^openlean: cannot connect to the database at 127\\.0\\.0\\.1:${down}: connection refused; start PostgreSQL or correct DATABASE_URL`));
    // A port someone else holds.
    const dir = tempDir();
    const port = await freePort();
    const first = serve({ DATA_DIR: dir, PORT: String(port) });
    await first.ready;
    oneLine(await runOpenlean(['serve'], { DATA_DIR: tempDir(), PORT: String(port), LOG_LEVEL: 'silent', SANDBOX_BANKS_TLS_PORT: '0' }), new RegExp(`^openlean: cannot listen on 127\\.0\\.0\\.1:${port}: the port is already in use`));
    first.child.kill('SIGTERM');
    assert.equal(await first.exited, 0);
  });

  it('sandbox-bank answers /healthz and takes the log levels of serve', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [BIN, 'sandbox-bank', '--port', String(port), '--tls-port', '0', '--log-level', 'silent', '--data-dir', tempDir()], { stdio: ['ignore', 'pipe', 'pipe'] });
    after(() => child.kill('SIGKILL'));
    let out = '';
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk) => {
        out += chunk;
        if (out.includes('listening')) resolve();
      });
      child.on('exit', (code) => reject(new Error(`sandbox-bank exited with ${code}: ${out}`)));
    });
    const res = await fetch(`http://127.0.0.1:${port}/healthz`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { status: 'ok' });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
  });

  it('serve creates the sandbox application, prints a working quickstart and stops on SIGTERM', async () => {
    const dir = tempDir();
    const port = await freePort();
    const server = serve({ DATA_DIR: dir, PORT: String(port) });
    const out = await server.ready;
    const creds = JSON.parse(fs.readFileSync(path.join(dir, 'sandbox-app.json'), 'utf8'));
    assert.deepEqual(Object.keys(creds), ['client_id', 'client_secret']);
    assert.ok(out.includes(creds.client_id) && out.includes(creds.client_secret));
    assert.ok(out.includes(`http://localhost:${port}`));
    assert.equal((fs.statSync(path.join(dir, 'sandbox-app.json')).mode & 0o777).toString(8), '600');

    // Follow the printed walkthrough, command by command.
    const commands = out.split('\n').filter((l) => /^\s{2}(TOKEN|CUSTOMER|ENTITY|ACCOUNT)=|^\s{2}(curl|while|json\(\))|^\s{4}/.test(l)).join('\n');
    const script = `set -e\n${commands}\necho "ENTITY=$ENTITY"\n`;
    const walk = spawnSync('bash', ['-c', script], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(walk.status, 0, walk.stderr);
    assert.match(walk.stdout, /"account_id":"/);
    assert.match(walk.stdout, /"credit_debit_indicator":"(CREDIT|DEBIT)"/);
    assert.match(walk.stdout, /ENTITY=[0-9a-f-]{36}/);

    server.child.kill('SIGTERM');
    assert.equal(await server.exited, 0);

    const again = serve({ DATA_DIR: dir, PORT: String(port) });
    assert.match(await again.ready, /Using the sandbox application/);
    assert.deepEqual(JSON.parse(fs.readFileSync(path.join(dir, 'sandbox-app.json'), 'utf8')), creds);
    again.child.kill('SIGTERM');
    assert.equal(await again.exited, 0);
  });

  describe('banks', () => {
    /** A BANKS_FILE in a fresh directory with one UK bank, changed by `changes`. */
    const banksFile = async (changes: Record<string, unknown> = {}) => {
      const dir = tempDir();
      const { files } = await writeBankCredentials(dir);
      const bank = {
        identifier: 'THAMES_BANK_GB',
        name: 'Thames Bank',
        country: 'GB',
        currency: 'GBP',
        time_zone: 'Europe/London',
        standard: 'obie-3.1',
        issuer: 'https://auth.thames.example',
        api_base_url: 'https://api.thames.example/open-banking/v3.1/aisp',
        client_id: 'openlean-at-thames',
        client_auth: 'tls_client_auth',
        signing_key: files.rsa,
        signing_kid: 'kid-1',
        signing_alg: 'PS256',
        transport_cert: files.cert,
        transport_key: files.key,
        security_profile: 'fapi1-advanced',
        ...changes,
      };
      const file = path.join(dir, 'banks.yaml');
      fs.writeFileSync(file, YAML.stringify({ banks: [bank] }));
      return { dir, file };
    };

    it('serve refuses to start with a bad BANKS_FILE, naming every bad field', async () => {
      const { dir, file } = await banksFile({ client_auth: 'basic', country: 'UK', signing_key: 'missing.pem' });
      const res = run(['serve'], { DATA_DIR: dir, PORT: '0', BANKS_FILE: file, LOG_LEVEL: 'silent' });
      assert.equal(res.status, 2, res.stderr);
      assert.equal(
        res.stderr,
        [
          `openlean: BANKS_FILE ${file}:`,
          '  banks[0] (THAMES_BANK_GB).country: must be an ISO 3166-1 alpha-2 code such as AE, SA or GB, got "UK" (the United Kingdom is GB)',
          '  banks[0] (THAMES_BANK_GB).client_auth: must be one of private_key_jwt, tls_client_auth, got "basic"',
          `  banks[0] (THAMES_BANK_GB).signing_key: cannot read ${path.join(dir, 'missing.pem')} (no such file)`,
          '',
        ].join('\n'),
      );
      assert.ok(!fs.existsSync(path.join(dir, 'openlean.db')), 'stopped before opening the database');
    });

    it('banks list prints the configured banks, and the sandbox banks only in sandbox mode', async () => {
      const { dir, file } = await banksFile();
      const sandbox = run(['banks', 'list'], { DATA_DIR: dir, BANKS_FILE: file, MODE: 'sandbox', PUBLIC_URL: 'http://localhost:3000' });
      assert.equal(sandbox.status, 0, sandbox.stderr);
      const lines = sandbox.stdout.trimEnd().split('\n');
      assert.match(lines[0]!, /^IDENTIFIER +NAME +COUNTRY +STANDARD +PROFILE +CLIENT_AUTH +ISSUER +SANDBOX$/);
      assert.match(lines[1]!, /^THAMES_BANK_GB +Thames Bank +GB +obie-3\.1 +fapi1-advanced +tls_client_auth +https:\/\/auth\.thames\.example$/);
      // Where `serve` would listen with this configuration: the sandbox banks' issuer is its address.
      assert.match(lines[2]!, /^SANDBOX_FALCON_AE +Falcon Bank \(sandbox\) +AE +obie-3\.1 +fapi2 +private_key_jwt +http:\/\/127\.0\.0\.1:3000\/sandbox-banks\/SANDBOX_FALCON_AE +yes$/);
      assert.match(lines.find((l) => l.startsWith('SANDBOX_SAQR_AE'))!, / uae-2\.1 +fapi2 /);
      assert.match(lines.find((l) => l.startsWith('SANDBOX_RIYADH_SA'))!, / ksa-2022\.11 +fapi1-advanced /);
      assert.equal(lines.length, 8);

      const production = run(['banks', 'list', '--mode', 'production'], { DATA_DIR: dir, BANKS_FILE: file });
      assert.equal(production.status, 0, production.stderr);
      assert.deepEqual(production.stdout.trimEnd().split('\n').slice(1).map((l) => l.split(' ')[0]), ['THAMES_BANK_GB']);
    });

    it('banks list refuses a configured bank that takes a sandbox bank\'s identifier in sandbox mode', async () => {
      const { dir, file } = await banksFile({ identifier: 'SANDBOX_PEARL_BH' });
      const res = run(['banks', 'list'], { DATA_DIR: dir, BANKS_FILE: file, MODE: 'sandbox' });
      assert.equal(res.status, 2);
      assert.equal(res.stderr, `openlean: BANKS_FILE ${file}:\n  banks[0] (SANDBOX_PEARL_BH).identifier: is a built-in sandbox bank's identifier in MODE=sandbox; choose another\n`);
    });

    it('banks import turns a participants list into BANKS_FILE entries to fill in, as YAML or JSON', () => {
      const dir = tempDir();
      const directory = path.join(dir, 'participants.json');
      fs.writeFileSync(directory, JSON.stringify(PARTICIPANTS));
      const yaml = run(['banks', 'import', '--directory', directory], {});
      assert.equal(yaml.status, 0, yaml.stderr);
      assert.match(yaml.stdout, /^# BANKS_FILE entries imported by `openlean banks import` from /);
      assert.deepEqual(YAML.parse(yaml.stdout), { banks: IMPORTED_ENTRIES });
      assert.equal(yaml.stderr, 'imported 2 banks serving account information\nskipped Example Bank Payments: serves no account information\nskipped Example Bank Legacy: authorisation server is Withdrawn\n');

      const out = path.join(dir, 'banks.json');
      const json = run(['banks', 'import', '--directory', directory, '--json', '--out', out], {});
      assert.equal(json.status, 0, json.stderr);
      assert.equal(json.stdout, '');
      assert.deepEqual(JSON.parse(fs.readFileSync(out, 'utf8')), { banks: IMPORTED_ENTRIES });
      assert.match(json.stderr, /replace every FILL_IN/);
      const again = run(['banks', 'import', '--directory', directory, '--json', '--out', out], {});
      assert.equal(again.status, 2);
      assert.match(again.stderr, /already exists/);
    });
  });

  describe('banks check', () => {
    let sandbox: FapiSandbox;
    after(() => sandbox?.close());

    /** BANKS_FILE entries for sandbox banks, as an operator would write them for real ones, with `transport` as the certificate. */
    const banksFileFor = async (transport: { cert_pem: string; key_pem: string } | null) => {
      const dir = tempDir();
      sandbox ??= await startFapiSandbox({ dataDir: dir });
      const entries = sandboxBanksFileEntries(sandbox.pki, { http: sandbox.url, tls: sandbox.tlsUrl }).map((e) => ({ ...e, identifier: `CHECK_${e.identifier}` }));
      if (transport) {
        fs.writeFileSync(path.join(dir, 'wrong.pem'), transport.cert_pem);
        fs.writeFileSync(path.join(dir, 'wrong.key'), transport.key_pem);
        for (const e of entries) Object.assign(e, { transport_cert: path.join(dir, 'wrong.pem'), transport_key: path.join(dir, 'wrong.key') });
      }
      const file = path.join(dir, 'banks.yaml');
      fs.writeFileSync(file, YAML.stringify({ banks: entries }));
      return { dir, file };
    };

    it('proves each step against a FAPI bank: discovery, TLS, mutual TLS, a client-credentials token', async () => {
      const { dir, file } = await banksFileFor(null);
      const res = await runOpenlean(['banks', 'check'], { DATA_DIR: dir, BANKS_FILE: file, MODE: 'production' });
      assert.equal(res.status, 0, res.stdout + res.stderr);
      const falcon = res.stdout.split('\n').slice(0, 5);
      assert.match(falcon[0]!, /^CHECK_SANDBOX_FALCON_AE \(Falcon Bank \(sandbox\), http:\/\/127\.0\.0\.1:\d+\/sandbox-banks\/SANDBOX_FALCON_AE\)$/);
      assert.deepEqual(falcon.slice(1).map((l) => l.trim().split(/ +/).slice(0, 2)), [['ok', 'discovery'], ['ok', 'tls'], ['ok', 'mutual_tls'], ['ok', 'client_credentials']]);
      assert.match(falcon[4]!, /a client-credentials token was issued to openlean \(private_key_jwt\)/);
      assert.match(res.stdout, /\n6 bank\(s\) ready\n$/);
    });

    it('names the step that fails: a transport certificate the bank does not trust', async () => {
      const { dir, file } = await banksFileFor(await createUntrustedClientCertificate('CN=openlean sandbox TPP,O=openlean,C=AE'));
      const res = await runOpenlean(['banks', 'check', 'CHECK_SANDBOX_OASIS_AE'], { DATA_DIR: dir, BANKS_FILE: file, MODE: 'production' });
      assert.equal(res.status, 1, res.stdout + res.stderr);
      const lines = res.stdout.trimEnd().split('\n');
      assert.deepEqual(lines.slice(1, 4).map((l) => l.trim().split(/ +/).slice(0, 2)), [['ok', 'discovery'], ['ok', 'tls'], ['FAIL', 'mutual_tls']]);
      assert.match(lines[3]!, /refused openlean's transport certificate/);
      assert.equal(lines.at(-1), '1 of 1 bank(s) failed');
    });

    it('refuses an identifier BANKS_FILE does not have', async () => {
      const { dir, file } = await banksFileFor(null);
      const res = await runOpenlean(['banks', 'check', 'NO_SUCH_BANK'], { DATA_DIR: dir, BANKS_FILE: file, MODE: 'production' });
      assert.equal(res.status, 2);
      assert.equal(res.stderr, `openlean: NO_SUCH_BANK is not a bank of BANKS_FILE (${file})\n`);
    });
  });
});

describe('openlean keys', () => {
  it('rotate-encryption re-seals every secret with the new key once, reports progress, and names values no key opens; rotate-signing adds a key', async () => {
    const dir = tempDir();
    const [k1, k2, k3] = ['1', '2', '3'].map(() => randomBytes(32).toString('base64')) as [string, string, string];
    const server = serve({ DATA_DIR: dir, PORT: String(await freePort()), ENCRYPTION_KEY: k1 });
    await server.ready;
    server.child.kill('SIGTERM');
    assert.equal(await server.exited, 0);

    // The sandbox application's secret and the token-signing key, both sealed with k1.
    const first = run(['keys', 'rotate-encryption', '--batch-size', '1'], { DATA_DIR: dir, ENCRYPTION_KEY: k2, ENCRYPTION_KEYS_OLD: k1 });
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stdout, new RegExp(`^re-sealing with key ${keyId(Buffer.from(k2, 'base64'))}; 1 old key\\(s\\) in the ring \\(${keyId(Buffer.from(k1, 'base64'))}\\)$`, 'm'));
    assert.match(first.stdout, /^sandbox_application\.client_secret_sealed: 1 re-sealed; 1 so far$/m);
    assert.match(first.stdout, /^signing_keys\.private_jwk_sealed: 1 re-sealed; 2 so far$/m);
    assert.match(first.stdout, /^done: 2 re-sealed, every stored secret is sealed with the current key$/m);

    const again = run(['keys', 'rotate-encryption'], { DATA_DIR: dir, ENCRYPTION_KEY: k2 });
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, /^done: 0 re-sealed/m);

    const signing = run(['keys', 'rotate-signing', '--overlap', '120'], { DATA_DIR: dir, ENCRYPTION_KEY: k2 });
    assert.equal(signing.status, 0, signing.stderr);
    const added = /^added signing key ([0-9a-f-]{36}): in JWKS now, signing from (\S+)$/m.exec(signing.stdout);
    assert.ok(added, signing.stdout);
    assert.ok(Date.parse(added[2]!) - Date.now() > 100_000, 'signs after the overlap');
    assert.match(signing.stdout, /leaves JWKS at \S+, when the last token it signed expires \(TOKEN_TTL_SECONDS 3600\)/);
    assert.equal(run(['keys', 'rotate-signing', '--overlap', '5'], { DATA_DIR: dir, ENCRYPTION_KEY: k2 }).status, 2, 'an overlap shorter than processes take to re-read the keys');

    // A key missing from the ring: its values are named, left as they are, and the exit status says so.
    const lost = run(['keys', 'rotate-encryption'], { DATA_DIR: dir, ENCRYPTION_KEY: k3 });
    assert.equal(lost.status, 1);
    assert.match(lost.stdout, /still sealed with another key: sandbox_application\.client_secret_sealed 1, signing_keys\.private_jwk_sealed 2/);
    assert.match(lost.stderr, /3 value\(s\) open with no key of the ring: add the key that sealed them to ENCRYPTION_KEYS_OLD/);
  });

  it('rotate-encryption stops after the batch in hand on Ctrl-C (exit 130), and a second run re-seals the rest, each value once', async () => {
    const dir = tempDir();
    const [k1, k2] = ['1', '2'].map(() => randomBytes(32)) as [Buffer, Buffer];
    const server = serve({ DATA_DIR: dir, PORT: String(await freePort()), ENCRYPTION_KEY: k1.toString('base64') });
    await server.ready;
    server.child.kill('SIGTERM');
    assert.equal(await server.exited, 0);

    // Journeys' PKCE verifiers sealed with k1, more than a pipe holds lines of progress for.
    const JOURNEYS = 3000;
    const db = new SQLite(path.join(dir, 'openlean.db'));
    const appId = (db.prepare('select id from applications limit 1').get() as { id: string }).id;
    const now = new Date().toISOString();
    db.prepare('insert into customers (id, app_id, app_user_id, created_at) values (?, ?, ?, ?)').run('rotation-customer', appId, 'rotation', now);
    const insert = db.prepare(
      `insert into link_sessions (id, app_id, customer_id, mode, bank_fixed, permissions, language, code_verifier, status, expires_at, created_at, updated_at)
       values (?, ?, 'rotation-customer', 'connect', 0, '[]', 'en', ?, 'STARTED', ?, ?, ?)`,
    );
    const ring1 = keyRing(k1);
    db.transaction(() => {
      for (let i = 0; i < JOURNEYS; i++) {
        const id = `journey-${String(i).padStart(5, '0')}`;
        insert.run(id, appId, seal(ring1, `verifier-${i}`, verifierAad(id)), now, now, now);
      }
    })();
    db.close();

    const ring = { DATA_DIR: dir, ENCRYPTION_KEY: k2.toString('base64'), ENCRYPTION_KEYS_OLD: k1.toString('base64') };
    const child = spawn(process.execPath, [BIN, 'keys', 'rotate-encryption', '--batch-size', '1'], { env: { ...process.env, ...ring }, stdio: ['ignore', 'pipe', 'pipe'] });
    after(() => child.kill('SIGKILL'));
    let out = '';
    let err = '';
    child.stderr.on('data', (chunk) => (err += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await new Promise<void>((resolve) => {
      const onData = (chunk: Buffer) => {
        out += chunk;
        if (!out.includes('link_sessions.code_verifier: 1 re-sealed')) return;
        // Unread, its progress fills the pipe and blocks it: it cannot finish before the signal is handled.
        child.stdout.off('data', onData);
        child.stdout.pause();
        resolve();
      };
      child.stdout.on('data', onData);
    });
    child.kill('SIGINT');
    child.stdout.on('data', (chunk) => (out += chunk));
    child.stdout.resume();
    assert.equal(await exited, 130, `${out.slice(-500)}\n${err}`);
    assert.match(err, /^stopping after this batch; run the command again to resume$/m);
    const resealed = [...out.matchAll(/^\S+: 1 re-sealed; (\d+) so far$/gm)].length;
    assert.ok(resealed < JOURNEYS, `${resealed} re-sealed before it stopped`);

    const rest = run(['keys', 'rotate-encryption', '--batch-size', '500'], ring);
    assert.equal(rest.status, 0, rest.stderr);
    const done = /^done: (\d+) re-sealed, every stored secret is sealed with the current key$/m.exec(rest.stdout);
    assert.ok(done, rest.stdout);
    // The journeys, the sandbox application's secret and the token-signing key: each once, over the two runs.
    assert.equal(resealed + Number(done[1]), JOURNEYS + 2);
  });
});
