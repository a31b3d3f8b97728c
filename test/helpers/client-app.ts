import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for a client's web app, on 127.0.0.1: `/return` is a `redirect_uri` that records
 * what the journey sent back; `/sdk` is a page that loads openlean's Link SDK and, on a click,
 * runs `OpenleanLink.connect` (or `reconnect` with `reconnect_id`), writing the callback's result
 * into `#result`.
 */
export interface ClientApp {
  url: string;
  /** The query of every request to `/return`, in order. */
  returns: URLSearchParams[];
  close(): Promise<void>;
}

const sdkPage = (openleanUrl: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Client app</title><script src="${openleanUrl}/link/sdk.js"></script></head>
<body><h1>Client app</h1><button id="connect">Connect your bank</button><pre id="result"></pre>
<script>
const params = new URLSearchParams(location.search);
document.getElementById('connect').addEventListener('click', () => {
  const options = {
    token: params.get('token'),
    language: params.get('language') || undefined,
    callback: (result) => { document.getElementById('result').textContent = JSON.stringify(result); },
  };
  if (params.get('reconnect_id')) OpenleanLink.reconnect({ ...options, reconnect_id: params.get('reconnect_id') });
  else OpenleanLink.connect({ ...options, bank_identifier: params.get('bank_identifier') || undefined, permissions: params.get('permissions') || undefined });
});
</script></body></html>`;

export async function startClientApp(openleanUrl: string): Promise<ClientApp> {
  const returns: URLSearchParams[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://client.test');
    if (url.pathname === '/return') {
      returns.push(url.searchParams);
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Client app</title></head><body><h1>Back in the client app</h1><pre id="result">${[...url.searchParams].map(([k, v]) => `${k}=${v}`.replace(/[<&]/g, '')).join('\n')}</pre></body></html>`);
      return;
    }
    if (url.pathname === '/sdk') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(sdkPage(openleanUrl));
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    returns,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
