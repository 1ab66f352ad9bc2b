/**
 * The address table of webhook-address.ts, as a truth table: every special-purpose range of the
 * IANA IPv4/IPv6 registries and every IPv6 form that embeds IPv4 is refused with its range; a few
 * public addresses (never contacted: this is classification only) are allowed.
 */
import { addressAllowed, AddressRange, classifyAddress } from '../../../../lib/boundaries/jobs/runtime/webhook-address';

const refused: Array<[string, AddressRange, string?]> = [
  ['127.0.0.1', 'loopback'],
  ['127.255.255.254', 'loopback'],
  ['10.0.0.1', 'private'],
  ['10.255.255.255', 'private'],
  ['172.16.0.1', 'private'],
  ['172.31.255.255', 'private'],
  ['192.168.1.1', 'private'],
  ['169.254.169.254', 'metadata'],
  ['169.254.0.1', 'link-local'],
  ['100.64.0.1', 'cgnat'],
  ['100.127.255.255', 'cgnat'],
  ['224.0.0.1', 'multicast'],
  ['239.255.255.250', 'multicast'],
  ['255.255.255.255', 'broadcast'],
  ['0.0.0.0', 'unspecified'],
  ['0.1.2.3', 'unspecified'],
  ['240.0.0.1', 'reserved'],
  ['192.0.0.8', 'reserved'],
  ['192.88.99.1', 'reserved'],
  ['192.0.2.1', 'documentation'],
  ['198.51.100.7', 'documentation'],
  ['203.0.113.9', 'documentation'],
  ['198.18.0.1', 'benchmarking'],
  ['198.19.255.255', 'benchmarking'],
  ['::1', 'loopback'],
  ['::', 'unspecified'],
  ['::ffff:10.0.0.1', 'private', '10.0.0.1'],
  ['::ffff:a00:1', 'private', '10.0.0.1'],
  ['::ffff:127.0.0.1', 'loopback', '127.0.0.1'],
  ['::ffff:169.254.169.254', 'metadata', '169.254.169.254'],
  ['::ffff:0.0.0.0', 'unspecified', '0.0.0.0'],
  ['::10.0.0.1', 'private', '10.0.0.1'],
  ['::127.0.0.1', 'loopback', '127.0.0.1'],
  ['64:ff9b::10.0.0.1', 'private', '10.0.0.1'],
  ['64:ff9b::a9fe:a9fe', 'metadata', '169.254.169.254'],
  ['64:ff9b::7f00:1', 'loopback', '127.0.0.1'],
  ['64:ff9b:1::a00:1', 'reserved'],
  ['2002:a00:1::1', 'private', '10.0.0.1'],
  ['2002:7f00:1::', 'loopback', '127.0.0.1'],
  ['2002:a9fe:a9fe::1', 'metadata', '169.254.169.254'],
  // Teredo: server 65.54.227.120 (public), client 10.0.0.1 obfuscated (XOR) as f5ff:fffe.
  ['2001:0:4136:e378:8000:63bf:f5ff:fffe', 'private', '10.0.0.1'],
  // Teredo with a private SERVER address.
  ['2001:0:c0a8:101:8000:63bf:f7f7:f7f7', 'private', '192.168.1.1'],
  ['fe80::1', 'link-local'],
  ['febf:ffff::1', 'link-local'],
  ['fc00::1', 'unique-local'],
  ['fd12:3456::1', 'unique-local'],
  ['fd00:ec2::254', 'metadata'],
  ['ff02::1', 'multicast'],
  ['ff05::1:3', 'multicast'],
  ['2001:db8::1', 'documentation'],
  ['3fff::1', 'documentation'],
  ['2001:2::1', 'benchmarking'],
  ['2001:10::1', 'reserved'],
  ['fec0::1', 'reserved'],
  ['100::1', 'reserved'],
  ['4000::1', 'reserved'],
  ['::2', 'unspecified', '0.0.0.2'],
  ['not-an-ip', 'not-an-ip'],
  ['127.0.0.1.', 'not-an-ip'],
];

describe('classifyAddress: non-public addresses are refused with their range', () => {
  test.each(refused.map(([address, range, embedded]) => ({ address, range, embedded })))('$address -> $range', ({ address, range, embedded }) => {
    const v = classifyAddress(address);
    expect([v.refused, v.embedded]).toEqual([range, embedded]);
  });
});

describe('classifyAddress: public unicast is allowed (classification only; nothing is contacted)', () => {
  test.each([
    ['8.8.8.8', undefined],
    ['1.1.1.1', undefined],
    ['172.32.0.1', undefined],
    ['172.15.255.255', undefined],
    ['100.128.0.1', undefined],
    ['100.63.255.255', undefined],
    ['169.255.0.1', undefined],
    ['11.0.0.1', undefined],
    ['223.255.255.255', undefined],
    ['2606:4700:4700::1111', undefined],
    ['2a00:1450:4001::200e', undefined],
    ['::ffff:8.8.8.8', '8.8.8.8'],
    ['64:ff9b::8.8.8.8', '8.8.8.8'],
    ['2002:808:808::1', '8.8.8.8'],
  ])('%s', (address, embedded) => {
    const v = classifyAddress(address);
    expect([v.refused, v.embedded]).toEqual([undefined, embedded]);
  });
});

describe('addressAllowed: the explicit allow-list', () => {
  test.each<[string, string[], boolean]>([
    ['127.0.0.1', ['127.0.0.1'], true],
    ['127.0.0.2', ['127.0.0.1'], false],
    ['10.1.2.3', ['10.1.0.0/16'], true],
    ['10.2.0.1', ['10.1.0.0/16'], false],
    ['::1', ['::1'], true],
    ['::1', ['127.0.0.1'], false],
    ['fd00::5', ['fd00::/64'], true],
    ['127.0.0.1', [], false],
  ])('%s in %j -> %s', (address, list, expected) => {
    expect(addressAllowed(address, list)).toBe(expected);
  });
  test('a malformed entry is an error, not a silent no-match', () => {
    expect(() => addressAllowed('127.0.0.1', ['localhost'])).toThrow(/not an IP address or CIDR/);
    expect(() => addressAllowed('127.0.0.1', ['127.0.0.0/33'])).toThrow(/bad prefix length/);
  });
});
