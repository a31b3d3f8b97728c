import fs from 'node:fs';

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
