import fs from 'node:fs';

/** openlean's version, from package.json (`openlean --version`, the OpenAPI document, `/docs`). */
export const VERSION: string = (JSON.parse(fs.readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
