/**
 * Writes every `?` placeholder of SQLite statement `sql` as `+?`, leaving quoted strings,
 * identifiers and comments alone.
 *
 * Why: when a bound parameter's value might change the query plan, SQLite marks the statement to
 * be compiled again whenever that parameter is bound anew ("the statement will be automatically
 * recompiled … on the first sqlite3_step() call following any change to the bindings",
 * sqlite.org/c3ref/prepare.html). It does so for `column = ?` in a query with an `ORDER BY`, and
 * for `LIMIT ?` and `OFFSET ?`: most of the data API's reads. better-sqlite3 binds on every run, so
 * such a statement was parsed and planned again on every read, as if never prepared (a transactions
 * page: ~15 % of its CPU in `sqlite3Reprepare`, docs/decisions/023). The unary `+` is a no-op on any
 * value (sqlite.org/lang_expr.html, "Operators") and keeps the parameter usable by an index, but the
 * planner no longer looks through it at the bound value; the plan it makes is the one made without
 * a value, which is what a statement compiled once runs anyway.
 *
 * @example stablePlaceholders("select id from t where a = ? and b = '?' limit ?") // "select id from t where a = +? and b = '?' limit +?"
 */
export function stablePlaceholders(sql: string): string {
  let out = '';
  let from = 0;
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    if (c === "'" || c === '"' || c === '`' || c === '[') {
      // A doubled quote inside a string ends it and opens the next: the same as skipping both.
      const end = sql.indexOf(c === '[' ? ']' : c, i + 1);
      i = end < 0 ? sql.length : end + 1;
    } else if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i + 2);
      i = end < 0 ? sql.length : end + 1;
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? sql.length : end + 2;
    } else if (c === '?') {
      out += `${sql.slice(from, i)}+`;
      from = i;
      i++;
    } else {
      i++;
    }
  }
  return out + sql.slice(from);
}
