import assert from 'node:assert/strict';
import fs from 'node:fs';
import { describe, it } from 'node:test';
import { AUDIT_KINDS } from '../src/domain/audit.ts';
import { ERROR_CODES } from '../src/errors/api-error.ts';
import { LINK_REASONS } from '../src/link/reasons.ts';
import { REFRESH_ERROR_CODES } from '../src/domain/refresh.ts';
import { FAULTS } from '../src/sandbox-bank/faults.ts';

const read = (file: string) => fs.readFileSync(new URL(`../${file}`, import.meta.url), 'utf8');

/** The first cells of a document's table rows: `| \`NAME\` | …` → NAME. */
function tableNames(markdown: string): Set<string> {
  return new Set([...markdown.matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1]!));
}

/** The stable vocabularies clients switch on are documented where README and the docs say they are. */
describe('docs name every stable value', () => {
  it('README lists every Link reason', () => {
    const listed = tableNames(read('README.md'));
    assert.deepEqual(LINK_REASONS.filter((r) => !listed.has(r)), []);
  });

  it('README explains every kind of audit record', () => {
    const listed = tableNames(read('README.md'));
    assert.deepEqual(AUDIT_KINDS.filter((k) => !listed.has(k)), []);
  });

  it('docs/sandbox-banks.md describes every fault', () => {
    const listed = tableNames(read('docs/sandbox-banks.md'));
    assert.deepEqual(FAULTS.filter((f) => !listed.has(f)), []);
  });

  it('README has a row for every API error code and every refresh error code', () => {
    const listed = tableNames(read('README.md'));
    assert.deepEqual([...Object.keys(ERROR_CODES), ...REFRESH_ERROR_CODES].filter((c) => !listed.has(c)), []);
  });
});
