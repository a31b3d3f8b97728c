#!/usr/bin/env node
// Node >= 22.18 runs the TypeScript sources directly (type stripping); there is no build step.
import { main } from '../src/main.ts';

await main(process.argv);
