/**
 * Two openlean servers in one process, on one database, from this environment: the first with the
 * audit trail on, the second with `AUDIT=off`, each on a port of its own; prints
 * `audit twin listening <url on> <url off>` and closes both on SIGTERM. Run by `bench:reads`
 * (docs/decisions/021).
 *
 * Why one process: two processes of the same server, loaded in turns, differ in CPU per read by
 * more than the trail costs (where each one's code and heap landed, what its JIT chose). Two
 * servers in one process run the same compiled code on the same heap, and differ only in what the
 * trail does: loaded in turns, their difference is the trail's.
 */
import { loadConfig } from '../../src/config.ts';
import { startServer } from '../../src/server.ts';

const serverWith = (audit: 'on' | 'off') => startServer(loadConfig({ ...process.env, AUDIT: audit, PORT: '0', SANDBOX_BANKS_TLS_PORT: '0' }));
const on = await serverWith('on');
const off = await serverWith('off');
process.stdout.write(`audit twin listening ${on.url} ${off.url}\n`);
process.once('SIGTERM', () => {
  Promise.all([on.close(), off.close()]).then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`audit twin: shutdown failed: ${String(err)}\n`);
      process.exit(1);
    },
  );
});
