import { addressSource } from '../../../../cloud-link/cloud/auth/client-source.js';

describe('addressSource', () => {
  test('IPv4 as is, IPv4-mapped IPv6 unmapped, IPv6 by its /64', () => {
    expect(addressSource('192.0.2.7')).toBe('192.0.2.7');
    expect(addressSource('::ffff:192.0.2.7')).toBe('192.0.2.7');
    expect(addressSource('2001:db8:1:2:aaaa:bbbb:cccc:dddd')).toBe('2001:db8:1:2::/64');
    expect(addressSource('2001:0db8:0001:0002::1')).toBe('2001:db8:1:2::/64');
    expect(addressSource('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressSource('2001:db8::2')).toBe(addressSource('2001:db8:0:0:ffff::9'));
    expect(addressSource('::1')).toBe('0:0:0:0::/64');
    expect(addressSource('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(addressSource(undefined)).toBe('unknown');
  });
});
