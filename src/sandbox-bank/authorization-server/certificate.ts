import { createHash, X509Certificate } from 'node:crypto';
import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
// @peculiar/x509 finds its algorithms through tsyringe, which needs the Reflect metadata API.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

/**
 * The client certificate a request came with on the sandbox banks' TLS listener, which accepts
 * only certificates chained to its CA (`requestCert`, `rejectUnauthorized`): null on plain HTTP.
 */
export function peerCertificate(socket: Socket | undefined): X509Certificate | null {
  if (!(socket instanceof TLSSocket)) return null;
  const raw = socket.getPeerCertificate(true)?.raw;
  return raw ? new X509Certificate(raw) : null;
}

/** Whether the connection is the TLS listener's. */
export const isMutualTls = (socket: Socket | undefined): socket is TLSSocket => socket instanceof TLSSocket && socket.authorized;

/** RFC 8705 §3.1: base64url SHA-256 of the DER certificate, as in a token's `cnf.x5t#S256`. */
export function thumbprint(certificate: X509Certificate): string {
  return createHash('sha256').update(certificate.raw).digest('base64url');
}

/** Attribute types by OID (RFC 4514 §3 and the ones @peculiar/x509 names), so `2.5.4.3=x` and `CN=x` compare equal. */
const TYPE_BY_OID: Readonly<Record<string, string>> = {
  '2.5.4.3': 'CN',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.9': 'STREET',
  '2.5.4.5': 'SERIALNUMBER',
  '0.9.2342.19200300.100.1.25': 'DC',
  '0.9.2342.19200300.100.1.1': 'UID',
  '1.2.840.113549.1.9.1': 'E',
};
const ALIASES: Readonly<Record<string, string>> = { EMAILADDRESS: 'E', EMAIL: 'E', SERIALNUMBER: 'SERIALNUMBER' };

const typeName = (type: string) => {
  const upper = type.trim().replace(/^OID\./i, '').toUpperCase();
  return TYPE_BY_OID[upper] ?? ALIASES[upper] ?? upper;
};

/** One RDN as a comparable string: its `TYPE=value` pairs sorted, as a multi-valued RDN's order does not matter (X.501). */
const rdnKey = (pairs: [string, string][]) =>
  pairs
    .map(([type, value]) => `${typeName(type)}=${value}`)
    .sort()
    .join('\u0000');

/**
 * The RDNs of an RFC 4514 string, most significant first (the string lists them last to first):
 * `,` (or `;`) between RDNs, `+` within a multi-valued one, `\,` `\+` `\\` `\"` … and `\2C` hex
 * escapes, `"quoted"` values. Null when it is not a distinguished name.
 */
export function parseDistinguishedName(dn: string): string[] | null {
  const rdns: [string, string][][] = [];
  let pairs: [string, string][] = [];
  let type = '';
  let value = '';
  let inValue = false;
  let quoted = false;
  const bytes: number[] = [];
  const flushBytes = () => {
    if (bytes.length) value += Buffer.from(bytes.splice(0)).toString('utf8');
  };
  const endPair = () => {
    flushBytes();
    if (!inValue || !type.trim()) return false;
    pairs.push([type, quoted ? value : value.trim()]);
    type = '';
    value = '';
    inValue = false;
    quoted = false;
    return true;
  };
  for (let i = 0; i < dn.length; i++) {
    const ch = dn[i]!;
    if (!inValue) {
      if (ch === '=') inValue = true;
      else type += ch;
      continue;
    }
    if (ch === '\\') {
      const hex = dn.slice(i + 1, i + 3);
      if (/^[0-9a-fA-F]{2}$/.test(hex)) {
        bytes.push(parseInt(hex, 16));
        i += 2;
      } else if (i + 1 < dn.length) {
        flushBytes();
        value += dn[++i];
      } else return null;
      continue;
    }
    flushBytes();
    if (ch === '"' && !value.trim()) {
      const close = dn.indexOf('"', i + 1);
      if (close < 0) return null;
      value = dn.slice(i + 1, close);
      quoted = true;
      i = close;
      continue;
    }
    if (ch === '+' || ch === ',' || ch === ';') {
      if (!endPair()) return null;
      if (ch !== '+') {
        rdns.push(pairs);
        pairs = [];
      }
      continue;
    }
    value += ch;
  }
  if (!endPair()) return null;
  rdns.push(pairs);
  return rdns.reverse().map(rdnKey);
}

/** The certificate's subject RDNs, most significant (DER) first, multi-valued ones whole. */
function subjectRdns(certificate: X509Certificate): string[] {
  return new x509.X509Certificate(certificate.raw).subjectName.toJSON().map((rdn) => rdnKey(Object.entries(rdn).flatMap(([type, values]) => values.map((v): [string, string] => [type, v]))));
}

/**
 * RFC 8705 §2.1.2: the certificate's subject is the registered `tls_client_auth_subject_dn`
 * (RFC 4514): the same RDNs in the same order, a multi-valued RDN's values in any order,
 * attribute types by name or OID, case-insensitively; values compared exactly.
 */
export function subjectMatches(certificate: X509Certificate, expectedDn: string): boolean {
  const expected = parseDistinguishedName(expectedDn);
  if (!expected) return false;
  const actual = subjectRdns(certificate);
  return actual.length === expected.length && actual.every((rdn, i) => rdn === expected[i]);
}
