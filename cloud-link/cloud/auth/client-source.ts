import { isIPv6 } from 'node:net';

/**
 * Who an attempt comes from, for the login back-off (auth-throttle.ts): an IPv4 address as is (an
 * IPv4-mapped IPv6 one unmapped), an IPv6 address by its /64, the smallest block a network usually
 * hands one subscriber (an attacker owning a /64 could otherwise be 2^64 sources).
 */
export function addressSource(remoteAddress: string | undefined): string {
  if (remoteAddress === undefined || remoteAddress === '') return 'unknown';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(remoteAddress);
  if (mapped) return mapped[1]!;
  if (!isIPv6(remoteAddress)) return remoteAddress;
  return `${expandIPv6(remoteAddress).slice(0, 4).join(':')}::/64`;
}

/** The 8 groups of an IPv6 address, `::` expanded, lower case, no leading zeros. */
function expandIPv6(address: string): string[] {
  const [head = '', tail] = address.toLowerCase().split('%')[0]!.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const missing = Math.max(0, 8 - left.length - right.length);
  return [...left, ...Array<string>(missing).fill('0'), ...right].map((g) => g.replace(/^0+(?=.)/, ''));
}
