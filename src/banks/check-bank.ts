import net from 'node:net';
import tls from 'node:tls';
import type { BankDefinition } from './bank.ts';
import { BankError } from './connector.ts';
import type { BankTransports } from './security/bank-transport.ts';
import type { FapiClient } from './security/fapi-client.ts';

/** One step of `openlean banks check`, in the order they run; a failed step skips the rest. */
export interface CheckStep {
  step: 'discovery' | 'tls' | 'mutual_tls' | 'client_credentials';
  ok: boolean;
  /** What was proven, or why it failed. */
  detail: string;
}

export interface CheckDeps {
  fapi: FapiClient;
  transports: BankTransports;
  /** Per network step. */
  timeout_ms: number;
}

const errorText = (err: unknown): string => {
  const parts: string[] = [];
  for (let e: unknown = err; e instanceof Error && parts.length < 3; e = e.cause) if (!parts.includes(e.message)) parts.push(e.message);
  return parts.join(': ') || String(err);
};

/** The endpoint openlean's mutual-TLS calls go to: the `mtls_endpoint_aliases` one when announced (RFC 8705 §5). */
function mtlsTokenEndpoint(discovery: Record<string, unknown>): string | null {
  const aliases = discovery.mtls_endpoint_aliases as Record<string, unknown> | undefined;
  const url = aliases?.token_endpoint ?? discovery.token_endpoint;
  return typeof url === 'string' ? url : null;
}

/** Whether the server's certificate verifies against the bank's trust anchors, without presenting ours. */
function serverHandshake(url: URL, bank: BankDefinition, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const port = Number(url.port || 443);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const socket = tls.connect({ host, port, ...(net.isIP(host) ? {} : { servername: host }), ...(bank.ca_pem ? { ca: bank.ca_pem } : {}), timeout: timeoutMs });
    socket.once('secureConnect', () => {
      const peer = socket.getPeerCertificate();
      const protocol = socket.getProtocol();
      socket.destroy();
      resolve(`${protocol}, server certificate ${peer.subject?.CN ?? '?'} issued by ${peer.issuer?.CN ?? '?'} verified`);
    });
    socket.once('timeout', () => {
      socket.destroy();
      reject(new Error(`no TLS handshake within ${timeoutMs} ms`));
    });
    socket.once('error', reject);
  });
}

/**
 * Proves that a configured bank works before a customer meets it: its OpenID discovery document
 * is served and names the configured issuer; its mutual-TLS endpoint's certificate verifies; it
 * accepts openlean's transport certificate; it issues a client-credentials token to openlean's
 * registration (`client_auth` with the signing key). Never throws: each step says why it failed.
 */
export async function checkBank(bank: BankDefinition, deps: CheckDeps): Promise<CheckStep[]> {
  const steps: CheckStep[] = [];
  const transport = deps.transports.for(bank);
  const signal = () => AbortSignal.timeout(deps.timeout_ms);

  let discovery: Record<string, unknown>;
  const discoveryUrl = `${bank.issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
  try {
    const res = await transport.fetch(discoveryUrl, { signal: signal() });
    if (res.status !== 200) throw new Error(`${discoveryUrl} answered ${res.status}`);
    discovery = (await res.json()) as Record<string, unknown>;
    if (discovery.issuer !== bank.issuer) throw new Error(`the document names issuer ${JSON.stringify(discovery.issuer)}, not the configured ${bank.issuer}`);
    steps.push({ step: 'discovery', ok: true, detail: `${discoveryUrl}: issuer matches` });
  } catch (err) {
    steps.push({ step: 'discovery', ok: false, detail: errorText(err) });
    return steps;
  }

  const endpoint = mtlsTokenEndpoint(discovery);
  if (!endpoint || !endpoint.startsWith('https:')) {
    steps.push({ step: 'tls', ok: false, detail: `the token endpoint ${endpoint ?? '(none)'} is not an https URL: mutual TLS is impossible` });
    return steps;
  }
  try {
    steps.push({ step: 'tls', ok: true, detail: `${new URL(endpoint).host}: ${await serverHandshake(new URL(endpoint), bank, deps.timeout_ms)}` });
  } catch (err) {
    steps.push({ step: 'tls', ok: false, detail: `${new URL(endpoint).host}: ${errorText(err)}` });
    return steps;
  }

  try {
    // Any HTTP answer (an OAuth error for the empty grant) proves the bank took our certificate.
    const res = await transport.fetch(endpoint, { method: 'POST', body: new URLSearchParams(), signal: signal() });
    await res.body?.cancel();
    steps.push({ step: 'mutual_tls', ok: true, detail: `${endpoint} accepted openlean's transport certificate (HTTP ${res.status})` });
  } catch (err) {
    steps.push({ step: 'mutual_tls', ok: false, detail: `${endpoint} refused openlean's transport certificate: ${errorText(err)}` });
    return steps;
  }

  try {
    deps.fapi.forget(bank);
    await deps.fapi.clientCredentials(bank, bank.scopes.join(' '));
    steps.push({ step: 'client_credentials', ok: true, detail: `a client-credentials token was issued to ${bank.client_id} (${bank.client_auth})` });
  } catch (err) {
    steps.push({ step: 'client_credentials', ok: false, detail: err instanceof BankError ? err.message : errorText(err) });
  }
  return steps;
}
