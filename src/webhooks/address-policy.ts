import { BlockList, isIPv6 } from 'node:net';

/**
 * Address ranges a production webhook may not reach, so an endpoint URL cannot be used to probe
 * the server's own network (SSRF): the first matching range names the reason. IPv4-mapped IPv6
 * addresses (`::ffff:127.0.0.1`) are checked against the IPv4 ranges by `BlockList` itself.
 */
const RANGES: ReadonlyArray<readonly [reason: string, network: string, prefix: number, family: 'ipv4' | 'ipv6']> = [
  ['unspecified', '0.0.0.0', 8, 'ipv4'],
  ['private', '10.0.0.0', 8, 'ipv4'],
  ['shared (CGNAT)', '100.64.0.0', 10, 'ipv4'],
  ['loopback', '127.0.0.0', 8, 'ipv4'],
  ['link-local', '169.254.0.0', 16, 'ipv4'],
  ['private', '172.16.0.0', 12, 'ipv4'],
  ['reserved', '192.0.0.0', 24, 'ipv4'],
  ['private', '192.168.0.0', 16, 'ipv4'],
  ['reserved', '198.18.0.0', 15, 'ipv4'],
  ['multicast', '224.0.0.0', 4, 'ipv4'],
  ['reserved', '240.0.0.0', 4, 'ipv4'],
  ['unspecified', '::', 128, 'ipv6'],
  ['loopback', '::1', 128, 'ipv6'],
  // IPv4-compatible addresses (deprecated) and anything else in ::/96 is no public destination.
  ['reserved', '::', 96, 'ipv6'],
  ['private', 'fc00::', 7, 'ipv6'],
  ['link-local', 'fe80::', 10, 'ipv6'],
  ['private', 'fec0::', 10, 'ipv6'],
  ['multicast', 'ff00::', 8, 'ipv6'],
];

const LISTS = RANGES.map(([reason, network, prefix, family]) => {
  const list = new BlockList();
  list.addSubnet(network, prefix, family);
  return { reason, list };
});

/** Why `address` (an IP literal, without brackets) may not be reached, or null when it may. */
export function blockedAddressReason(address: string): string | null {
  const type = isIPv6(address) ? 'ipv6' : 'ipv4';
  return LISTS.find(({ list }) => list.check(address, type))?.reason ?? null;
}
