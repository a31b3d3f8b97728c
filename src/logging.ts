import pino, { type Logger } from 'pino';
import type { Config } from './config.ts';

/**
 * The process's logger: JSON lines through a buffered asynchronous destination, so a log line per
 * request is not a write(2) per request. A quiet process (a worker) still shows its lines within a
 * second. `flush` writes what is buffered; call it on shutdown.
 */
export function createLogger(level: Config['logLevel']): { log: Logger; flush(): void } {
  const stream = pino.destination({ dest: 1, sync: false, minLength: 4096 });
  setInterval(() => stream.flush(), 1_000).unref();
  return { log: pino({ level }, stream), flush: () => stream.flushSync() };
}
