import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

/** True when `command` can be run (it may still exit non-zero, as `wrk --version` does). */
export function runnable(command: string, args: string[]): boolean {
  return !spawnSync(command, args, { stdio: 'ignore' }).error;
}

/** CPU time (ms) a process has used, and its main thread alone (Linux `/proc`); null elsewhere. */
export function cpuMs(pid: number | undefined): { process: number; main: number } | null {
  const ticks = (file: string) => {
    // Fields 14 and 15 (utime, stime), after the parenthesised command name; USER_HZ is 100 on Linux.
    const fields = fs.readFileSync(file, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  };
  try {
    return { process: ticks(`/proc/${pid}/stat`), main: ticks(`/proc/${pid}/task/${pid}/stat`) };
  } catch {
    return null;
  }
}

/** The CPUs this process may run on, from a Linux affinity list such as `0-3,6`. */
function allowedCpus(): number[] {
  const list = /^Cpus_allowed_list:\s*(\S+)/m.exec(fs.readFileSync('/proc/self/status', 'utf8'))?.[1] ?? '';
  return list.split(',').flatMap((part) => {
    const [from, to = from] = part.split('-').map(Number);
    return Array.from({ length: to! - from! + 1 }, (_, i) => from! + i);
  });
}

/** A core for the servers and another for the load generator, when taskset is there and this process may use two; else null. */
export function pinnedCores(): { server: number; generator: number } | null {
  const cpus = runnable('taskset', ['--version']) ? allowedCpus() : [];
  return cpus.length >= 2 ? { server: cpus[0]!, generator: cpus[1]! } : null;
}

/** `command args` to run pinned to `core` (through taskset, which execs it under the same pid), or as is. */
export function onCore(core: number | undefined, command: string, args: string[]): [string, string[]] {
  return core === undefined ? [command, args] : ['taskset', ['-c', String(core), command, ...args]];
}

/** Pins this process, every thread of it, to `core`. */
export function pinSelf(core: number): void {
  spawnSync('taskset', ['-a', '-p', '-c', String(core), String(process.pid)], { stdio: 'ignore' });
}
