import pino, { type Logger } from 'pino';
import type { Config } from './config.ts';

/**
 * Secrets that must never reach a log line, wherever an error's cause chain or a logged object
 * carries them: bank tokens, client secrets, private keys (defence in depth: code does not log
 * them on purpose).
 */
const SECRET_FIELDS = ['access_token', 'refresh_token', 'id_token', 'code_verifier', 'client_secret', 'client_assertion', 'key_pem', 'private_jwk'];
const REDACT = ['', '*.', '*.*.', '*.*.*.'].flatMap((depth) => SECRET_FIELDS.map((field) => depth + field));

/**
 * The process's logger: JSON lines through a buffered asynchronous destination, so a log line per
 * request is not a write(2) per request. A quiet process (a worker) still shows its lines within a
 * second. `flush` writes what is buffered; call it on shutdown. `destination` (tests) takes the
 * lines instead, unbuffered.
 */
export function createLogger(level: Config['logLevel'], destination?: { write(line: string): void }): { log: Logger; flush(): void } {
  const options = { level, redact: { paths: REDACT, censor: '[secret]' } };
  if (destination) return { log: pino(options, destination), flush: () => {} };
  const stream = pino.destination({ dest: 1, sync: false, minLength: 4096 });
  setInterval(() => stream.flush(), 1_000).unref();
  return { log: pino(options, stream), flush: () => stream.flushSync() };
}
