import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import SQLite from 'better-sqlite3';
import { stablePlaceholders } from '../../src/store/sqlite-placeholders.ts';

describe('stablePlaceholders', () => {
  it('writes every placeholder as +?', () => {
    assert.equal(stablePlaceholders('select id from t where a = ? and b in (?, ?) limit ? offset ?'), 'select id from t where a = +? and b in (+?, +?) limit +? offset +?');
    assert.equal(stablePlaceholders('insert into t (a, b) values (?, ?)'), 'insert into t (a, b) values (+?, +?)');
    assert.equal(stablePlaceholders('select 1'), 'select 1');
  });

  it('leaves a ? in strings, quoted identifiers and comments alone', () => {
    assert.equal(stablePlaceholders(`select '?', 'it''s ?', "a?b", \`c?\`, [d?] from t where x = ?`), `select '?', 'it''s ?', "a?b", \`c?\`, [d?] from t where x = +?`);
    assert.equal(stablePlaceholders('select ? -- why?\n, ? /* and ? */ from t'), 'select +? -- why?\n, +? /* and ? */ from t');
  });

  it('leaves an unterminated string or comment as it is', () => {
    assert.equal(stablePlaceholders("select '?"), "select '?");
    assert.equal(stablePlaceholders('select ? /* ?'), 'select +? /* ?');
  });

  describe('in SQLite', () => {
    const db = new SQLite(':memory:');
    db.exec('create table t (id integer primary key, account text not null, at text not null, amount integer, note blob)');
    db.exec('create index t_account_at on t (account, at desc, id desc)');
    const insert = db.prepare('insert into t (account, at, amount, note) values (?, ?, ?, ?)');
    for (let i = 0; i < 50; i++) insert.run(i % 2 ? 'a' : 'b', `2026-01-${String(1 + (i % 28)).padStart(2, '0')}`, i % 5 === 0 ? null : i * 100, i % 7 === 0 ? Buffer.from([i]) : null);

    const page = 'select id, at, amount, note from t where account = ? and at >= ? and (amount = ? or amount is ?) order by at desc, id desc limit ? offset ?';

    it('answers what the statement as written answers, whatever the values bound', () => {
      const written = db.prepare(page);
      const stable = db.prepare(stablePlaceholders(page));
      for (const args of [
        ['a', '2026-01-05', 900, null, 10, 0],
        ['b', '', 1200, null, 3, 2],
        ['a', '2026-01-01', null, null, 100, 0],
        ['b', '2026-02-01', 0, 0, 0, 0],
      ]) {
        assert.deepEqual(stable.all(...args), written.all(...args), JSON.stringify(args));
      }
      const blob = 'select id from t where note = ?';
      assert.deepEqual(db.prepare(stablePlaceholders(blob)).all(Buffer.from([14])), db.prepare(blob).all(Buffer.from([14])));
      assert.deepEqual(db.prepare(stablePlaceholders(blob)).all(Buffer.from([14])), [{ id: 15 }]);
    });

    it('keeps the index usable by the parameters', () => {
      const plan = db.prepare(`explain query plan ${stablePlaceholders(page)}`).all('a', '', 1, null, 10, 0) as Array<{ detail: string }>;
      assert.deepEqual(
        plan.map((p) => p.detail),
        ['SEARCH t USING INDEX t_account_at (account=? AND at>?)'],
      );
    });
  });
});
