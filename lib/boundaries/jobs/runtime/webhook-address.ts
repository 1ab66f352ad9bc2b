/**
 * Which IP addresses a webhook may be sent to: public unicast only.
 *
 * A tenant registers its webhook URL, so the URL is hostile input: aimed at the inside (loopback,
 * the VPC, the instance metadata service at 169.254.169.254, a NAT'd neighbour) it turns the worker
 * into a proxy for that tenant (server-side request forgery). This module classifies one address
 * against a CIDR table built from the IANA IPv4 and IPv6 Special-Purpose Address Registries
 * (RFC 6890 and its updates), and unwraps every IPv6 form that embeds an IPv4 address
 * (IPv4-mapped `::ffff:0:0/96`, IPv4-compatible `::/96`, NAT64 `64:ff9b::/96` RFC 6052, 6to4
 * `2002::/16` RFC 3056, Teredo `2001::/32` RFC 4380), so `::ffff:10.0.0.1` is as private as
 * `10.0.0.1`. IPv6 outside global unicast `2000::/3` is refused as reserved.
 *
 * Host spellings such as `2130706433`, `0x7f.1` or `017700000001` are normalised by the WHATWG
 * URL parser (Node's `URL`) to `127.0.0.1` before they reach this module.
 */
import { isIP } from 'net';

/** Why an address is not a public unicast address. */
export type AddressRange =
  /** 169.254.169.254 and fd00:ec2::254: the EC2/ECS instance metadata service (credentials!). */
  | 'metadata'
  | 'loopback'
  /** 10/8, 172.16/12, 192.168/16 (RFC 1918). */
  | 'private'
  /** 100.64/10 shared address space (RFC 6598), carrier-grade NAT. */
  | 'cgnat'
  /** 169.254/16, fe80::/10. */
  | 'link-local'
  /** fc00::/7 (RFC 4193), IPv6's private range. */
  | 'unique-local'
  | 'multicast'
  /** 255.255.255.255. */
  | 'broadcast'
  /** 0.0.0.0/8 ("this network") and `::`. */
  | 'unspecified'
  /** 192.0.2/24, 198.51.100/24, 203.0.113/24, 2001:db8::/32, 3fff::/20. */
  | 'documentation'
  /** 198.18/15, 2001:2::/48. */
  | 'benchmarking'
  /** 192.0.0/24 IETF protocol assignments, 240/4, deprecated and non-global IPv6 ranges. */
  | 'reserved'
  /** Not an IP address at all. */
  | 'not-an-ip';

export interface AddressVerdict {
  readonly address: string;
  /** undefined: public unicast, allowed. */
  readonly refused?: AddressRange;
  /** For IPv6 forms that embed IPv4: the embedded address that decided the verdict. */
  readonly embedded?: string;
}

interface Cidr4 {
  readonly base: number;
  readonly bits: number;
  readonly range: AddressRange;
}
interface Cidr6 {
  readonly base: bigint;
  readonly bits: number;
  readonly range: AddressRange;
}

// Most specific first: the first match decides.
const V4_TABLE: readonly Cidr4[] = (
  [
    ['169.254.169.254', 32, 'metadata'],
    ['255.255.255.255', 32, 'broadcast'],
    ['0.0.0.0', 8, 'unspecified'],
    ['10.0.0.0', 8, 'private'],
    ['100.64.0.0', 10, 'cgnat'],
    ['127.0.0.0', 8, 'loopback'],
    ['169.254.0.0', 16, 'link-local'],
    ['172.16.0.0', 12, 'private'],
    ['192.0.0.0', 24, 'reserved'],
    ['192.0.2.0', 24, 'documentation'],
    ['192.88.99.0', 24, 'reserved'], // deprecated 6to4 relay anycast (RFC 7526)
    ['192.168.0.0', 16, 'private'],
    ['198.18.0.0', 15, 'benchmarking'],
    ['198.51.100.0', 24, 'documentation'],
    ['203.0.113.0', 24, 'documentation'],
    ['224.0.0.0', 4, 'multicast'],
    ['240.0.0.0', 4, 'reserved'],
  ] as const
).map(([a, bits, range]) => ({ base: parseIpv4(a)!, bits, range }));

const V6_TABLE: readonly Cidr6[] = (
  [
    ['fd00:ec2::254', 128, 'metadata'],
    ['::', 128, 'unspecified'],
    ['::1', 128, 'loopback'],
    ['64:ff9b:1::', 48, 'reserved'], // local-use NAT64 (RFC 8215): translates into a private domain
    ['100::', 64, 'reserved'], // discard-only (RFC 6666)
    ['2001:2::', 48, 'benchmarking'],
    ['2001:10::', 28, 'reserved'], // ORCHID (deprecated)
    ['2001:20::', 28, 'reserved'], // ORCHIDv2
    ['2001:db8::', 32, 'documentation'],
    ['3fff::', 20, 'documentation'], // RFC 9637
    ['fc00::', 7, 'unique-local'],
    ['fe80::', 10, 'link-local'],
    ['fec0::', 10, 'reserved'], // site-local (deprecated)
    ['ff00::', 8, 'multicast'],
  ] as const
).map(([a, bits, range]) => ({ base: parseIpv6(a)!, bits, range }));

/** Classifies one IP address (a literal, without brackets). */
export function classifyAddress(address: string): AddressVerdict {
  const family = isIP(address);
  if (family === 4) return { address, ...classify4(parseIpv4(address)!) };
  if (family === 6) return { address, ...classify6(parseIpv6(address)!) };
  return { address, refused: 'not-an-ip' };
}

function classify4(v: number): { refused?: AddressRange } {
  for (const c of V4_TABLE) {
    const mask = c.bits === 0 ? 0 : (0xffffffff << (32 - c.bits)) >>> 0;
    if ((v & mask) >>> 0 === c.base) return { refused: c.range };
  }
  return {};
}

function classify6(v: bigint): { refused?: AddressRange; embedded?: string } {
  for (const c of V6_TABLE) {
    if (v >> BigInt(128 - c.bits) === c.base >> BigInt(128 - c.bits)) return { refused: c.range };
  }
  const embedded = embeddedIpv4(v);
  if (embedded.length > 0) {
    for (const e of embedded) {
      const verdict = classify4(e);
      if (verdict.refused) return { refused: verdict.refused, embedded: formatIpv4(e) };
    }
    return { embedded: formatIpv4(embedded[0]) };
  }
  // Only global unicast (2000::/3) is routable on the internet.
  if (v >> 125n !== 1n) return { refused: 'reserved' };
  return {};
}

/** The IPv4 addresses an IPv6 address carries, by transition mechanism. Empty when none. */
function embeddedIpv4(v: bigint): number[] {
  const low32 = Number(v & 0xffffffffn);
  const top96 = v >> 32n;
  if (top96 === 0xffffn) return [low32]; // ::ffff:a.b.c.d IPv4-mapped
  if (top96 === 0n) return [low32]; // ::a.b.c.d IPv4-compatible (deprecated); :: and ::1 matched above
  if (v >> 32n === 0x64ff9b0000000000000000n) return [low32]; // 64:ff9b::/96 NAT64 well-known prefix
  if (v >> 112n === 0x2002n) return [Number((v >> 80n) & 0xffffffffn)]; // 2002:V4ADDR::/48 6to4
  if (v >> 96n === 0x20010000n) {
    // Teredo: server IPv4 in bits 32-63, client IPv4 (obfuscated: XOR 0xffffffff) in the last 32.
    return [Number((v >> 64n) & 0xffffffffn), (low32 ^ 0xffffffff) >>> 0];
  }
  return [];
}

function parseIpv4(a: string): number | undefined {
  if (isIP(a) !== 4) return undefined;
  return a.split('.').reduce((acc, o) => ((acc << 8) | Number(o)) >>> 0, 0);
}

function formatIpv4(v: number): string {
  return [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255].join('.');
}

/** Parses a valid IPv6 literal (optionally with a trailing dotted quad) into 128 bits. */
function parseIpv6(a: string): bigint | undefined {
  if (isIP(a) !== 6) return undefined;
  let text = a.toLowerCase();
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone);
  // A trailing dotted quad becomes two groups.
  const quad = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (quad) {
    const v4 = parseIpv4(quad[1])!;
    text = `${text.slice(0, quad.index)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const missing = 8 - headGroups.length - tailGroups.length;
  const groups = tail === undefined ? headGroups : [...headGroups, ...Array<string>(missing).fill('0'), ...tailGroups];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

/**
 * An allow-list entry: an exact address or a CIDR (`127.0.0.1`, `10.1.0.0/16`, `::1`). For tests
 * and for deliberate internal receivers only; matched against the literal resolved address.
 */
export function addressAllowed(address: string, allowList: readonly string[]): boolean {
  const family = isIP(address);
  for (const entry of allowList) {
    const [base, bitsText] = entry.split('/');
    const entryFamily = isIP(base);
    if (entryFamily === 0) throw new Error(`allowAddresses entry ${JSON.stringify(entry)} is not an IP address or CIDR`);
    if (entryFamily !== family) continue;
    const max = family === 4 ? 32 : 128;
    const bits = bitsText === undefined ? max : Number(bitsText);
    if (!Number.isInteger(bits) || bits < 0 || bits > max) throw new Error(`allowAddresses entry ${JSON.stringify(entry)} has a bad prefix length`);
    if (family === 4) {
      const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
      if ((parseIpv4(address)! & mask) >>> 0 === (parseIpv4(base)! & mask) >>> 0) return true;
    } else {
      const shift = BigInt(128 - bits);
      if (parseIpv6(address)! >> shift === parseIpv6(base)! >> shift) return true;
    }
  }
  return false;
}
