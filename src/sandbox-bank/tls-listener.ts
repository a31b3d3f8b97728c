import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';

export interface SandboxTlsListenerOptions {
  /** 0 lets the system choose. */
  port: number;
  host: string;
  /** Trust anchors for client certificates (the test CA): a client without a certificate chained to them is refused in the handshake. */
  ca_pem: string;
  /** The sandbox banks' server certificate and key. */
  cert_pem: string;
  key_pem: string;
  /** Only URLs under this path are served; anything else of the host answers 404 here. */
  prefix: string;
}

/**
 * The sandbox banks' HTTPS listener with mutual TLS (RFC 8705): the token, PAR, revocation and
 * userinfo endpoints and the OBIE API answer here, at the same paths as on the host's HTTP port.
 * Requests are routed into the host's own Fastify instance (`app.routing`, what Fastify's
 * `serverFactory` uses), so both listeners share one plugin instance, its state file, providers
 * and fault counters; a second Fastify instance would need all of those shared by hand. The
 * handlers tell the listeners apart by the socket (a `TLSSocket`).
 */
export async function startSandboxTlsListener(options: SandboxTlsListenerOptions, app: FastifyInstance): Promise<{ port: number; close(): Promise<void> }> {
  const server = https.createServer({ requestCert: true, rejectUnauthorized: true, ca: options.ca_pem, cert: options.cert_pem, key: options.key_pem }, (req, res) => {
    if (req.url === options.prefix || req.url?.startsWith(`${options.prefix}/`)) return app.routing(req, res);
    res.writeHead(404, { 'content-type': 'text/plain' }).end('Not a sandbox bank URL');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
