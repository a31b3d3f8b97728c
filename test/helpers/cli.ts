import { spawn } from 'node:child_process';
import path from 'node:path';

/** The `openlean` command as the README runs it. */
export const OPENLEAN_BIN = path.resolve(import.meta.dirname, '../../bin/openlean.js');

/**
 * Runs `openlean <args>` with `env` added to this process's environment, without blocking this
 * process (the command may talk to a server it runs); resolves with its exit status and output.
 */
export function runOpenlean(args: string[], env: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [OPENLEAN_BIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
  return new Promise((resolve) => child.on('close', (status) => resolve({ status, stdout, stderr })));
}
