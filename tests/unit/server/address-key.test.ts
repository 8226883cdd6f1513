// Per-address limits key IPv4 addresses as they are and IPv6 ones by their /64.
import { describe, expect, it } from 'vitest';
import { addressKey } from '../../../server/limits.js';

describe('addressKey', () => {
  it('keeps IPv4 and unwraps IPv4-mapped IPv6', () => {
    expect(addressKey('203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey(undefined)).toBe('unknown');
  });

  it('keys IPv6 by its /64, whatever the spelling of the host part', () => {
    const key = '2001:db8:0:1::/64';
    for (const ip of [
      '2001:db8:0:1::1',
      '2001:db8::1:0:0:0:2',
      '2001:0DB8:0000:0001:ffff:1:2:3',
      '2001:db8:0:1::1%eth0',
    ]) {
      expect([ip, addressKey(ip)]).toEqual([ip, key]);
    }
    expect(addressKey('2001:db8:0:2::1')).not.toBe(key);
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
  });
});
