import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';

const SRC = path.resolve(import.meta.dirname, '..', 'src');
/** `from '…'`, `import '…'` and `import('…')`: every way a module names another. */
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(?\s*)['"]([^'"]+)['"]/g;

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(full) : entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** The modules of `src/` that `file` imports, as paths relative to `src/`. */
function localImports(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  return [...text.matchAll(SPECIFIER)]
    .map((m) => m[1]!)
    .filter((specifier) => specifier.startsWith('.'))
    .map((specifier) => path.relative(SRC, path.resolve(path.dirname(file), specifier)).split(path.sep).join('/'));
}

function violations(from: string, forbidden: readonly string[]): string[] {
  return filesUnder(path.join(SRC, from)).flatMap((file) =>
    localImports(file)
      .filter((target) => forbidden.some((folder) => target.startsWith(`${folder}/`)))
      .map((target) => `${path.relative(SRC, file)} imports ${target}`),
  );
}

/**
 * The sandbox banks are a separate party: openlean's client side knows them only as configured
 * bank entries, and they know nothing of it (docs/decisions/010-real-banks-fapi.md).
 */
describe('architecture', () => {
  it('the sandbox banks import nothing of openlean\'s client side', () => {
    assert.deepEqual(violations('sandbox-bank', ['banks', 'api', 'entities', 'link', 'refresh']), []);
  });

  it('the sandbox banks keep their own state file, on Kysely as openlean\'s store is, but import nothing of that store', () => {
    assert.deepEqual(violations('sandbox-bank', ['store']), []);
  });

  it('the client side\'s banks import nothing of the sandbox banks', () => {
    assert.deepEqual(violations('banks', ['sandbox-bank']), []);
  });

  it('the TypeScript client knows openlean only through its published document', () => {
    // Outside src/, so its imports resolve to paths starting with ../ ; only its generator script may reach the server.
    const client = path.resolve(SRC, '..', 'clients', 'typescript', 'src');
    const outside = filesUnder(client).flatMap((file) =>
      localImports(file)
        .filter((target) => !path.resolve(SRC, target).startsWith(client + path.sep))
        .map((target) => `${path.relative(client, file)} imports ${target}`),
    );
    assert.deepEqual(outside, []);
    assert.ok(localImports(path.join(client, 'client.ts')).some((t) => t.endsWith('clients/typescript/src/problem.ts')));
  });

  it('finds the imports it checks', () => {
    assert.ok(localImports(path.join(SRC, 'sandbox-bank', 'generator', 'plan.ts')).includes('sandbox-bank/profiles.ts'));
    assert.ok(localImports(path.join(SRC, 'server.ts')).includes('banks/registry.ts'));
  });
});
