import type { KeyObject } from 'node:crypto';
import type { RequestHandler } from 'express';
import { publishedJwk, type PublishedJwk } from './auth/signingKeys';

/** The path gateways fetch the public keys from (RFC 8414's well-known location). */
export const JWKS_PATH = '/.well-known/jwks.json';

/** How long a client may keep the JWKS; a rotation publishes the new key well before using it. */
const JWKS_MAX_AGE_SECONDS = 300;

/**
 * `GET /.well-known/jwks.json`: the JWKS (RFC 7517) of the keys that access tokens may be signed
 * with, public and unauthenticated: the current signing key first, then the previous keys still
 * accepted during a rotation. Each key has its RFC 7638 thumbprint as `kid`, `use: "sig"` and its
 * `alg`; a previous key equal to the current one is listed once. Public keys only.
 */
export function jwksHandler(deps: {
  signingKey: PublishedJwk;
  previousKeys: readonly KeyObject[];
}): RequestHandler {
  const keys: PublishedJwk[] = [deps.signingKey];
  for (const key of deps.previousKeys) {
    const jwk = publishedJwk(key);
    if (!keys.some(({ kid }) => kid === jwk.kid)) keys.push(jwk);
  }
  const body = JSON.stringify({ keys });
  return (_req, res) => {
    res.setHeader('cache-control', `public, max-age=${JWKS_MAX_AGE_SECONDS}`);
    res.type('application/json').send(body);
  };
}
