import type { Compilable, Kysely } from 'kysely';
import type { DB } from './schema.ts';

const MARK = '\u0000openlean-param:';

/** A query written once with Kysely, compiled once per database, executed many times. */
export interface PreparedQuery<P, R> {
  build(db: Kysely<DB>, param: <K extends keyof P & string>(name: K) => P[K]): Compilable<R>;
  /**
   * How PostgreSQL plans it. `custom` (the default): for each run's values, since a plan made without
   * them can be a scan of every row. `generic`: once, for a query whose plan is the same whatever the
   * values (primary-key lookups) and costs more to make than to run (docs/decisions/024).
   */
  plan: 'custom' | 'generic';
}

export interface CompiledPrepared<P> {
  sql: string;
  /** The named parameter each positional one binds (undefined for values fixed in the query). */
  slots: readonly (string | undefined)[];
  bind(params: P): unknown[];
}

/**
 * Declares a hot read query with named parameters. The store compiles it to its dialect's SQL the
 * first time it runs and then only binds values: no query building and no SQL parsing (better-sqlite3
 * caches the statement; PostgreSQL keeps a named statement per connection), which is most of what a
 * small read costs.
 *
 * @example
 * const byId = prepared<{ id: string }, { payload: string }>((db, p) =>
 *   db.selectFrom('accounts').select('payload').where('id', '=', p('id')));
 * const rows = await store.query(byId, { id });
 */
export function prepared<P extends Record<string, unknown>, R>(build: PreparedQuery<P, R>['build'], options: { plan?: PreparedQuery<P, R>['plan'] } = {}): PreparedQuery<P, R> {
  return { build, plan: options.plan ?? 'custom' };
}

/** Compiles with placeholder markers, then remembers which positional parameter is which name. */
export function compilePrepared<P extends Record<string, unknown>, R>(db: Kysely<DB>, query: PreparedQuery<P, R>): CompiledPrepared<P> {
  const compiled = query.build(db, (name) => `${MARK}${name}` as never).compile();
  const slots = compiled.parameters.map((v) => (typeof v === 'string' && v.startsWith(MARK) ? v.slice(MARK.length) : undefined));
  const fixed = compiled.parameters;
  return {
    sql: compiled.sql,
    slots,
    bind: (params) => slots.map((name, i) => (name === undefined ? fixed[i] : params[name])),
  };
}
