/**
 * Regenerates the TypeScript client's inputs from the server itself: the published OpenAPI
 * document (`clients/typescript/openapi.json`) and the types openapi-typescript derives from it
 * (`clients/typescript/src/generated/openlean.d.ts`). Both are checked in, so the client works
 * from a fresh clone; `test/client/generated.test.ts` fails when they drift from the server.
 *
 *   node clients/typescript/scripts/generate.ts          # write both files (npm run gen:client)
 *   node clients/typescript/scripts/generate.ts --check  # exit 1 if either differs
 *
 * This script, not the client, imports the server: the client itself knows openlean only through
 * the document (test/architecture.test.ts).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import openapiTS, { astToString, COMMENT_HEADER, type OpenAPI3 } from 'openapi-typescript';
import { loadConfig } from '../../../src/config.ts';
import { startServer } from '../../../src/server.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
export const DOCUMENT_FILE = path.join(ROOT, 'openapi.json');
export const TYPES_FILE = path.join(ROOT, 'src/generated/openlean.d.ts');

/**
 * The document a default deployment publishes at `/openapi.json` (servers: http://localhost:3000).
 * The app is assembled by `startServer` over a throwaway SQLite file, since its routes need the
 * whole context; it listens on an ephemeral loopback port only while the document is read from
 * the app in-process (no request is made), with no job workers.
 */
export async function publishedDocument(): Promise<Record<string, unknown>> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'openlean-openapi-'));
  try {
    // An explicit environment, not the caller's: the document must not depend on who generates it.
    const env = { PUBLIC_URL: 'http://localhost:3000', WORKER_CONCURRENCY: '0', ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64') };
    const server = await startServer(loadConfig(env, { mode: 'production', dataDir, port: 0, host: '127.0.0.1', logLevel: 'silent' }));
    try {
      return JSON.parse(JSON.stringify(server.app!.swagger())) as Record<string, unknown>;
    } finally {
      await server.close();
    }
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The two files' contents, as `npm run gen:client` writes them. */
export async function generatedFiles(document?: Record<string, unknown>): Promise<{ document: string; types: string }> {
  const doc = document ?? (await publishedDocument());
  const ast = await openapiTS(doc as unknown as OpenAPI3, { silent: true });
  return { document: `${JSON.stringify(doc, null, 2)}\n`, types: COMMENT_HEADER + astToString(ast) };
}

if (import.meta.main) {
  const files = await generatedFiles();
  const targets: [string, string][] = [
    [DOCUMENT_FILE, files.document],
    [TYPES_FILE, files.types],
  ];
  if (process.argv.includes('--check')) {
    const stale = targets.filter(([file, text]) => !fs.existsSync(file) || fs.readFileSync(file, 'utf8') !== text).map(([file]) => path.relative(process.cwd(), file));
    if (stale.length) {
      process.stderr.write(`out of date with the server's document: ${stale.join(', ')}; run npm run gen:client\n`);
      process.exit(1);
    }
  } else {
    for (const [file, text] of targets) fs.writeFileSync(file, text);
  }
}
