import http from 'node:http';

/**
 * The benchmark's baseline: a bare node:http server answering each path with fixed bytes, the
 * same bytes openlean sends. Reads `{ "<path>": "<body>" }` as JSON on stdin, prints its port.
 */
const chunks: Buffer[] = [];
for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
const bodies = new Map(Object.entries(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, string>).map(([k, v]) => [k, Buffer.from(v)]));

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
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${(server.address() as { port: number }).port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
