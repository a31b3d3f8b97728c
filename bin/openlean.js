#!/usr/bin/env node
// Node >= 22.18 runs the TypeScript sources directly (type stripping); there is no build step.
// The check runs before anything TypeScript is loaded, so older Node says what to do instead.
await import('./check-node.js');
const { main } = await import('../src/main.ts');

await main(process.argv);
