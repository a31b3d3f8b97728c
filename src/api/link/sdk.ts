import fs from 'node:fs';
import type { Api } from '../api.ts';

const SDK = fs.readFileSync(new URL('../../link/sdk.js', import.meta.url), 'utf8');

/** The Link SDK script, for client pages to load with a `<script src>` (any origin may). */
export function registerSdk(app: Api): void {
  app.get('/sdk.js', { schema: { hide: true } }, async (_request, reply) =>
    reply
      .type('text/javascript; charset=utf-8')
      .header('cache-control', 'public, max-age=3600')
      .header('cross-origin-resource-policy', 'cross-origin')
      .send(SDK),
  );
}
