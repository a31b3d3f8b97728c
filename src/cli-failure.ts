/**
 * The one line a command prints for a failure a person can fix (a database that is down or does
 * not exist, a port in use, a directory it may not write), saying what failed and what to do; null
 * for anything else, which is a bug and keeps its stack trace. Node's system errors carry `code`,
 * `address`, `port`, `syscall` and `path`; PostgreSQL's carry its SQLSTATE as `code`.
 */
export function expectedFailure(err: unknown): string | null {
  if (!(err instanceof Error)) return null;
  const e = err as NodeJS.ErrnoException & { address?: string; port?: number; hostname?: string };
  const where = e.address !== undefined ? `${e.address}${e.port === undefined ? '' : `:${e.port}`}` : '';
  if (e.syscall === 'listen') {
    if (e.code === 'EADDRINUSE') return `cannot listen on ${where}: the port is already in use; stop what listens there or choose another port (--port, env PORT)`;
    if (e.code === 'EACCES') return `cannot listen on ${where}: permission denied (ports below 1024 need privileges); choose another port (--port, env PORT)`;
    if (e.code === 'EADDRNOTAVAIL') return `cannot listen on ${where}: no interface has this address; choose another --host (env HOST)`;
  }
  switch (e.code) {
    case 'ECONNREFUSED':
      return `cannot connect to the database at ${where}: connection refused; start PostgreSQL or correct DATABASE_URL`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot resolve the database host ${e.hostname ?? ''}: correct DATABASE_URL`;
    case 'ETIMEDOUT':
      return `the database at ${where} did not answer in time: check DATABASE_URL and the network`;
    // PostgreSQL: invalid_catalog_name, invalid_password, invalid_authorization_specification.
    case '3D000':
      return `${e.message}: create it (createdb, or CREATE DATABASE) or correct DATABASE_URL`;
    case '28P01':
    case '28000':
      return `${e.message}: correct the user or password in DATABASE_URL`;
    case 'SQLITE_CANTOPEN':
      return `cannot open the SQLite database: check that DATA_DIR (or the path in DATABASE_URL) exists and is writable`;
    case 'EACCES':
    case 'EROFS':
      return `cannot write ${e.path ?? 'a file'}: permission denied; choose a writable DATA_DIR (--data-dir)`;
  }
  // What the pg driver says when the server closes the connection at once (for example a proxy with nothing behind it).
  if (/^Connection terminated/.test(e.message)) return `the database closed the connection at once: check that DATABASE_URL names a running PostgreSQL`;
  return null;
}
