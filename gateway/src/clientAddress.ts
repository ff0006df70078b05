import { isIP } from 'node:net';
import type { Request } from 'express';

/** `ip` without an IPv4-mapped IPv6 prefix; undefined if it is not an IP address. */
function plainAddress(ip: string | undefined): string | undefined {
  const address = ip?.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip;
  return address !== undefined && isIP(address) !== 0 ? address : undefined;
}

/**
 * The client's address as the subgraphs should see it: Express's `req.ip`, which follows
 * `trust proxy` (`TRUST_PROXY`) through `X-Forwarded-For`, with IPv4-mapped IPv6 as IPv4. When
 * that is not an IP address (a trusted hop passed on `X-Forwarded-For: garbage`), the address of
 * the socket's peer instead: the subgraphs limit per address, and a client must not be able to
 * switch that off by sending something unparsable. Undefined only when the socket has no address
 * any more (it closed).
 */
export function clientAddress(req: Pick<Request, 'ip' | 'socket'>): string | undefined {
  return plainAddress(req.ip) ?? plainAddress(req.socket.remoteAddress);
}
