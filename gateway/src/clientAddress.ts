import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import proxyAddr from 'proxy-addr';

/** `ip` without an IPv4-mapped IPv6 prefix; undefined if it is not an IP address. */
function plainAddress(ip: string | undefined): string | undefined {
  const address = ip?.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip;
  return address !== undefined && isIP(address) !== 0 ? address : undefined;
}

/** Which hops `TRUST_PROXY` trusts, as Express compiles its `trust proxy` setting. */
function compileTrust(
  trustProxy: boolean | number | string[],
): (address: string, hop: number) => boolean {
  if (trustProxy === true) return () => true;
  if (typeof trustProxy === 'number') return (_address, hop) => hop < trustProxy;
  return proxyAddr.compile(trustProxy === false ? [] : trustProxy);
}

/**
 * Returns the function that finds a request's client address as the subgraphs should see it:
 * the address that `TRUST_PROXY` (`trustProxy`) leads to through `X-Forwarded-For`, as Express's
 * `req.ip` does, with IPv4-mapped IPv6 as IPv4. When that is not an IP address (a trusted hop
 * passed on `X-Forwarded-For: garbage`), the address of the socket's peer instead: the
 * subgraphs limit per address, and a client must not be able to switch that off by sending
 * something unparsable. Undefined only when the socket has no address any more (it closed).
 */
export function clientAddress(
  trustProxy: boolean | number | string[],
): (req: IncomingMessage) => string | undefined {
  if (trustProxy === false) return (req) => plainAddress(req.socket.remoteAddress);
  const trust = compileTrust(trustProxy);
  return (req) => {
    const socketAddress = req.socket.remoteAddress;
    // proxy-addr reads the socket's address itself; without one there is nothing to follow.
    const forwarded = socketAddress === undefined ? undefined : proxyAddr(req, trust);
    return plainAddress(forwarded) ?? plainAddress(socketAddress);
  };
}
