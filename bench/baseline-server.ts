import fs from 'node:fs';
import http from 'node:http';

/**
 * The benchmark's baseline: a bare node:http server answering each path with fixed bytes, the
 * same bytes openlean sends. `node bench/baseline-server.ts <bodies.json> <port>`, the file
 * holding `{ "<path>": "<body>" }`; prints `listening` once it is.
 */
const [bodiesFile, port] = process.argv.slice(2);
const bodies = new Map(Object.entries(JSON.parse(fs.readFileSync(bodiesFile!, 'utf8')) as Record<string, string>).map(([k, v]) => [k, Buffer.from(v)]));

const server = http.createServer((req, res) => {
  const body = bodies.get(req.url ?? '');
  if (!body) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length });
  res.end(body);
});
server.keepAliveTimeout = 60_000;
server.listen(Number(port), '127.0.0.1', () => {
  process.stdout.write('listening\n');
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
