import pino, { type Logger } from 'pino';

/**
 * Secrets that must never reach a log line, wherever an error's cause chain or a logged object
 * carries them: bank tokens, client secrets, private keys (defence in depth: code does not log
 * them on purpose).
 */
const SECRET_FIELDS = ['access_token', 'refresh_token', 'id_token', 'code_verifier', 'client_secret', 'client_assertion', 'key_pem', 'private_jwk'];
const REDACT = ['', '*.', '*.*.', '*.*.*.'].flatMap((depth) => SECRET_FIELDS.map((field) => depth + field));

/** Pino's levels, most severe first; `silent` logs nothing. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * The process's logger: JSON lines through a buffered asynchronous destination, so a log line per
 * request is not a write(2) per request. A quiet process (a worker) still shows its lines within a
 * second. `flush` writes what is buffered; call it on shutdown. `destination` (tests) takes the
 * lines instead, unbuffered.
 */
export function createLogger(level: LogLevel, destination?: { write(line: string): void }): { log: Logger; flush(): void } {
  const options = { level, redact: { paths: REDACT, censor: '[secret]' } };
  if (destination) return { log: pino(options, destination), flush: () => {} };
  const stream = pino.destination({ dest: 1, sync: false, minLength: 4096 });
  setInterval(() => stream.flush(), 1_000).unref();
  return { log: pino(options, stream), flush: () => stream.flushSync() };
}

type LevelMethod = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

/**
 * A request's logger, made only when the request logs. Fastify gives every request a child logger
 * bound to its request id; with `redact` configured, pino runs every redaction path over the
 * bindings when it makes a child, which cost about 5 µs per request on the read path (a CPU profile
 * of `bench:reads`), while most reads log nothing (decision 003). This stands in for that child
 * and makes it at the first log call. Pass as Fastify's `childLoggerFactory`.
 */
export function lazyRequestLogger(parent: Logger, bindings: Record<string, unknown>, options: Record<string, unknown>): Logger {
  return new LazyLogger(parent, bindings, options) as unknown as Logger;
}

class LazyLogger {
  #child: Logger | undefined;
  readonly #parent: Logger;
  readonly #bindings: Record<string, unknown>;
  readonly #options: Record<string, unknown>;
  constructor(parent: Logger, bindings: Record<string, unknown>, options: Record<string, unknown>) {
    this.#parent = parent;
    this.#bindings = bindings;
    this.#options = options;
  }
  #real(): Logger {
    return (this.#child ??= this.#parent.child(this.#bindings, this.#options));
  }
  get level(): string {
    return (this.#child ?? this.#parent).level;
  }
  set level(level: string) {
    this.#real().level = level;
  }
  isLevelEnabled(level: string): boolean {
    return (this.#child ?? this.#parent).isLevelEnabled(level);
  }
  child(bindings: Record<string, unknown>, options?: Record<string, unknown>): Logger {
    return this.#real().child(bindings, options);
  }
  #log(method: LevelMethod, args: unknown[]): void {
    // Below the level nothing is written, and no child is needed.
    if (!this.isLevelEnabled(method)) return;
    (this.#real()[method] as (...a: unknown[]) => void)(...args);
  }
  fatal(...args: unknown[]): void {
    this.#log('fatal', args);
  }
  error(...args: unknown[]): void {
    this.#log('error', args);
  }
  warn(...args: unknown[]): void {
    this.#log('warn', args);
  }
  info(...args: unknown[]): void {
    this.#log('info', args);
  }
  debug(...args: unknown[]): void {
    this.#log('debug', args);
  }
  trace(...args: unknown[]): void {
    this.#log('trace', args);
  }
  silent(): void {}
}
