import dns from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import type { Mode } from '../domain/mode.ts';
import { blockedAddressReason } from './address-policy.ts';

/** The URL's host as an IP literal without brackets, or null when it is a name. */
function literalHost(url: URL): string | null {
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  return isIP(host) ? host : null;
}

function addressesProblem(host: string, addresses: readonly dns.LookupAddress[]): string | null {
  for (const { address } of addresses) {
    const reason = blockedAddressReason(address);
    if (reason) return `its host ${host} resolves to a ${reason} address (${address})`;
  }
  return null;
}

/**
 * What is wrong with `url` as a webhook endpoint that can be told without a DNS lookup, or null.
 * Sandbox mode allows plain http and local addresses, so a developer's own machine can receive;
 * production mode wants https and refuses IP literals in ranges the server must not probe (SSRF).
 */
export function staticUrlProblem(url: URL, mode: Mode): string | null {
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'it must be an http(s) URL';
  if (url.username || url.password) return 'it must not carry credentials';
  if (mode === 'sandbox') return null;
  if (url.protocol !== 'https:') return 'it must be https in production mode';
  const ip = literalHost(url);
  const reason = ip && blockedAddressReason(ip);
  return reason ? `it points at a ${reason} address (${ip})` : null;
}

/**
 * `staticUrlProblem`, then, in production mode, every address the host resolves to: one blocked
 * address refuses the URL, since the connection may use any of them.
 */
export async function endpointUrlProblem(raw: string, mode: Mode): Promise<string | null> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'it is not an absolute URL';
  }
  const problem = staticUrlProblem(url, mode);
  if (problem || mode === 'sandbox' || literalHost(url)) return problem;
  let addresses: dns.LookupAddress[];
  try {
    addresses = await dns.promises.lookup(url.hostname, { all: true });
  } catch {
    return `its host ${url.hostname} does not resolve`;
  }
  return addressesProblem(url.hostname, addresses);
}

/**
 * The DNS lookup of a production delivery's socket: the same rule as `endpointUrlProblem`, applied
 * to the very addresses the socket then connects to, so a name re-pointed at a private address
 * after the endpoint was accepted (DNS rebinding) is refused too.
 */
export const guardedLookup: LookupFunction = (hostname, options, callback) => {
  dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, []);
    const problem = addressesProblem(hostname, addresses);
    if (problem) return callback(Object.assign(new Error(`Refused: ${problem}`), { code: 'EADDRREFUSED' }), []);
    if (options.all) return callback(null, addresses);
    callback(null, addresses[0]!.address, addresses[0]!.family);
  });
};
