/**
 * For tests that cannot run on this machine (`reason`: a missing Chromium, an unreachable
 * PostgreSQL): on a developer's machine, a warning nobody can miss on stderr and `reason` back, to
 * pass as the suite's `skip` option; on CI (`CI=true`) an error instead, since a skipped suite
 * there would hide a break. `what` names the tests, `fix` says how to make them run.
 */
export function skipLoudly(reason: string, o: { what: string; fix: string }): string {
  if (process.env.CI === 'true') throw new Error(`${reason}: CI=true requires ${o.what}. ${o.fix}`);
  process.stderr.write(['', '!'.repeat(78), `!!! WARNING: ${reason}.`, `!!! SKIPPED: ${o.what}.`, `!!! ${o.fix}`, '!'.repeat(78), ''].join('\n') + '\n');
  return reason;
}
