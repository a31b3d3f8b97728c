import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { onCore } from './cpu.ts';

/** The openlean command line, which every server the benches measure is started through. */
export const CLI = path.resolve(import.meta.dirname, '../../bin/openlean.js');

/** The limiter counts every request, as it does by default, but never refuses one: the benches measure serving. */
export const UNLIMITED: NodeJS.ProcessEnv = { RATE_LIMIT_PER_MINUTE: '100000000' };

/** A process a bench started, and the file its stdout and stderr go to. */
export interface Proc {
  name: string;
  child: ChildProcess;
  log: string;
}

/** Every process started and not yet exited, for `killAll`. */
const running = new Set<Proc>();

/**
 * Starts `command args` with stdout and stderr to the file `log`, pinned to `core` when one is
 * given. A file rather than a pipe: a pipe drained by this busy load-generating process would
 * throttle the server.
 */
export function launch(name: string, command: string, args: string[], options: { env: NodeJS.ProcessEnv; log: string; core?: number }): Proc {
  const [pinned, argv] = onCore(options.core, command, args);
  const out = fs.openSync(options.log, 'w');
  const child = spawn(pinned, argv, { env: options.env, stdio: ['ignore', out, out] });
  fs.closeSync(out);
  const proc = { name, child, log: options.log };
  running.add(proc);
  child.once('exit', () => running.delete(proc));
  return proc;
}

/** Resolves once `text` is in the process's log; throws with the log if it exits first or takes over a minute. */
export async function waitForLog(proc: Proc, text: string): Promise<void> {
  const started = Date.now();
  for (;;) {
    const out = fs.readFileSync(proc.log, 'utf8');
    if (out.includes(text)) return;
    if (proc.child.exitCode !== null || Date.now() - started > 60_000) throw new Error(`${proc.name} did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const exited = (proc: Proc) => proc.child.exitCode !== null || proc.child.signalCode !== null;

/** SIGTERM, then wait for the process to finish its shutdown (SIGKILL after 30 s): until then it may still write to its data directory. */
export async function stop(proc: Proc): Promise<void> {
  if (exited(proc)) return;
  const gone = new Promise((r) => proc.child.once('exit', r));
  proc.child.kill('SIGTERM');
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), 30_000);
  await gone;
  clearTimeout(timer);
}

/** SIGKILL to every process still running, resolved once all have exited: what is measured is over, and their files are about to go. */
export async function killAll(): Promise<void> {
  const all = [...running];
  for (const p of all) if (!exited(p)) p.child.kill('SIGKILL');
  await Promise.all(all.map((p) => (exited(p) ? null : new Promise((r) => p.child.once('exit', r)))));
}
