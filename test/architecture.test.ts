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

/** The folder or top-level module of `src/` a path relative to `src/` is in: `api` for `api/data/x.ts`, `server.ts` for itself. */
const partOf = (target: string) => target.split('/')[0]!;

/**
 * The layers of `src/`, top first, and the folders and top-level modules in each
 * (docs/architecture.md). A module imports from its own layer and the layers below it.
 */
const LAYERS: ReadonlyArray<readonly [layer: string, parts: readonly string[]]> = [
  ['top', ['main.ts', 'server.ts', 'app.ts', 'config.ts', 'context.ts', 'quickstart.ts', 'cli-failure.ts', 'sandbox-connections.ts', 'api', 'mcp', 'cli']],
  ['worker', ['worker']],
  ['services', ['applications', 'auth', 'entities', 'link', 'refresh', 'webhooks']],
  ['infrastructure', ['store', 'audit', 'rate-limit', 'jobs', 'banks', 'pki', 'logging.ts']],
  ['base', ['domain', 'errors', 'standards', 'version.ts']],
];
/** A separate party beside the layers: the sandbox banks (docs/decisions/010-real-banks-fapi.md). */
const SANDBOX = 'sandbox-bank';

/** Imports the layers allow nonetheless, each with its reason (docs/architecture.md). */
const ALLOWED: ReadonlyArray<readonly [from: string, to: string]> = [
  // The sandbox shortcut drives a sandbox bank's consent pages and names its data profiles.
  ['entities/create-sandbox-entity.ts', 'sandbox-bank/automate-consent.ts'],
  ['entities/create-sandbox-entity.ts', 'sandbox-bank/generator/model.ts'],
];

const rank = (part: string) => LAYERS.findIndex(([, parts]) => parts.includes(part));

/** May `part` import from `target` by the layers? The sandbox banks stand apart: only the top imports them, and they import only the base layer. */
function layersAllow(part: string, target: string): boolean {
  if (part === SANDBOX || target === SANDBOX) {
    if (part === target) return true;
    if (target === SANDBOX) return rank(part) === 0;
    return rank(target) === LAYERS.length - 1;
  }
  return rank(target) >= rank(part);
}

function violations(from: string, forbidden: readonly string[]): string[] {
  return filesUnder(path.join(SRC, from)).flatMap((file) =>
    localImports(file)
      .filter((target) => forbidden.some((folder) => target.startsWith(`${folder}/`)))
      .map((target) => `${path.relative(SRC, file)} imports ${target}`),
  );
}

/**
 * The import rules of docs/architecture.md. The sandbox banks are a separate party: openlean's
 * client side knows them only as configured bank entries, and they know nothing of it
 * (docs/decisions/010-real-banks-fapi.md).
 */
describe('architecture', () => {
  it('places every folder and top-level module of src/ in a layer', () => {
    const parts = fs.readdirSync(SRC).filter((name) => name !== SANDBOX);
    assert.deepEqual(parts.filter((part) => rank(part) === -1), []);
  });

  it('each module imports only from its own layer and the layers below it', () => {
    const found = filesUnder(SRC).flatMap((file) => {
      const from = path.relative(SRC, file).split(path.sep).join('/');
      return localImports(file)
        .filter((target) => !target.startsWith('../'))
        .filter((target) => !layersAllow(partOf(from), partOf(target)) && !ALLOWED.some(([f, t]) => f === from && t === target))
        .map((target) => `${from} imports ${target}`);
    });
    assert.deepEqual(found, []);
  });

  it('nothing below the top imports the HTTP layer, the configuration or the AppContext', () => {
    const top = LAYERS[0]![1];
    const reachUp = filesUnder(SRC).flatMap((file) => {
      const from = path.relative(SRC, file).split(path.sep).join('/');
      if (top.includes(partOf(from))) return [];
      return localImports(file)
        .filter((target) => ['api', 'config.ts', 'context.ts'].includes(partOf(target)))
        .map((target) => `${from} imports ${target}`);
    });
    assert.deepEqual(reachUp, []);
  });

  it('only the composition root and the MCP surface, whose tools mirror the REST routes, import src/api', () => {
    const outside = filesUnder(SRC).flatMap((file) => {
      const from = path.relative(SRC, file).split(path.sep).join('/');
      if (['api', 'mcp', 'main.ts', 'server.ts', 'app.ts', 'context.ts'].includes(partOf(from))) return [];
      return localImports(file).filter((target) => partOf(target) === 'api').map((target) => `${from} imports ${target}`);
    });
    assert.deepEqual(outside, []);
  });

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
    assert.ok(localImports(path.join(SRC, 'server.ts')).includes('worker/worker.ts'));
    assert.ok(localImports(path.join(SRC, 'main.ts')).includes('mcp/stdio.ts'), 'a dynamic import');
    assert.equal(layersAllow('link', 'store'), true);
    assert.equal(layersAllow('store', 'link'), false);
    assert.equal(layersAllow('entities', SANDBOX), false);
  });
});
