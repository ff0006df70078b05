import { isIP } from 'node:net';

/** The key of every request that carries no usable client address: they share one budget. */
export const UNKNOWN_ADDRESS = 'unknown';

/** The eight 16-bit groups of a valid IPv6 address (zone dropped, a dotted IPv4 tail converted). */
function ipv6Groups(address: string): number[] {
  let text = address.replace(/%.*$/, '');
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a = 0, b = 0, c = 0, d = 0] = dotted.slice(1).map(Number);
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const groupsOf = (part: string) =>
    part === '' ? [] : part.split(':').map((g) => parseInt(g, 16));
  const [head = '', tail] = text.split('::');
  const front = groupsOf(head);
  if (tail === undefined) return front;
  const back = groupsOf(tail);
  return [...front, ...new Array<number>(8 - front.length - back.length).fill(0), ...back];
}

/**
 * The key a per-address throttle counts a client under. An IPv4 address is its own key; an IPv6
 * address counts as its /64 (`2001:db8:1:2::/64`), because one subscriber usually holds a whole
 * /64 and could otherwise take a fresh address for every attempt; an IPv4-mapped IPv6 address
 * (`::ffff:192.0.2.1`) counts as the IPv4 address. No address, or anything that is not an IP
 * address, is `UNKNOWN_ADDRESS`, so such requests share one budget rather than escape the limit.
 */
export function addressKey(ip: string | undefined): string {
  if (ip === undefined) return UNKNOWN_ADDRESS;
  const version = isIP(ip);
  if (version === 4) return ip;
  if (version !== 6) return UNKNOWN_ADDRESS;
  const groups = ipv6Groups(ip);
  if (groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff) {
    const [high = 0, low = 0] = groups.slice(6);
    return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
  }
  return `${groups
    .slice(0, 4)
    .map((group) => group.toString(16))
    .join(':')}::/64`;
}
