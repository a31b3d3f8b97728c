import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BankError } from '../src/banks/connector.ts';
import { GrantAnswerLost } from '../src/banks/security/fapi-client.ts';
import { createLogger, lazyRequestLogger } from '../src/logging.ts';

/** The process logger, writing into memory. */
function capture() {
  const lines: string[] = [];
  const { log, flush } = createLogger('info', { write: (line: string) => void lines.push(line) });
  return { log, read: () => (flush(), lines.join('')) };
}

describe('logging', () => {
  it('never writes bank tokens, verifiers, client assertions or keys, wherever a logged object carries them', () => {
    const { log, read } = capture();
    // An error carrying the bank's answer as a property (as HTTP client errors do).
    const tokenError = Object.assign(new Error('token endpoint refused'), { response: { body: { access_token: 'AT-secret-1', refresh_token: 'RT-secret-2', id_token: 'ID-secret-3' } } });
    log.warn({ err: tokenError }, 'refresh failed');
    log.info({ bank_event: { request: { form: { client_assertion: 'eyJ-secret-4', code_verifier: 'verifier-secret-5' } } } }, 'bank call');
    log.info({ bank: { signing: { key_pem: '-----BEGIN PRIVATE KEY----- secret-6' } } }, 'configured');
    const out = read();
    for (const secret of ['AT-secret-1', 'RT-secret-2', 'ID-secret-3', 'eyJ-secret-4', 'verifier-secret-5', 'secret-6']) assert.ok(!out.includes(secret), `${secret} was logged: ${out}`);
    assert.equal(out.match(/\[secret\]/g)?.length, 6);
    assert.match(out, /token endpoint refused/, 'the rest of the error is kept');
  });

  it('a lost grant answer that carried a rotated refresh token keeps it, but never logs it', () => {
    const { log, read } = capture();
    const err = new GrantAnswerLost('token refresh: the bank answer failed validation', { refresh_token: 'RT-rotated-7' });
    assert.equal(err.refresh_token, 'RT-rotated-7');
    assert.ok(err instanceof BankError);
    log.warn({ err }, 'refresh attempt failed');
    const out = read();
    assert.ok(!out.includes('RT-rotated-7'), out);
    assert.match(out, /GrantAnswerLost/);
  });

  it('a request\'s logger binds the request id, keeps the level and the redaction, and logs nothing below its level', () => {
    const { log, read } = capture();
    const requestLog = lazyRequestLogger(log, { request_id: 'req-1' }, {});
    assert.equal(requestLog.level, 'info');
    requestLog.debug({ a: 1 }, 'below the level');
    assert.equal(read(), '');
    requestLog.info({ a: 2, access_token: 'AT-secret-8' }, 'hello');
    requestLog.child({ b: 3 }).warn('from a child');
    const lines = read().trimEnd().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(
      lines.map((l) => [l.request_id, l.msg, l.a, l.b, l.access_token]),
      [
        ['req-1', 'hello', 2, undefined, '[secret]'],
        ['req-1', 'from a child', undefined, 3, undefined],
      ],
    );
  });
});
