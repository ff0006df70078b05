import { createPublicKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { JwksClient } from 'jwks-rsa';
import type { Logger } from '@fedstack/runtime/logger';
import type { JwksSettings } from '../config';
import { AccessTokenError } from './AccessTokenError';

/**
 * The public key an access token is to be checked with, chosen by the token's header, and the
 * algorithm its JWK is published for, when it names one.
 */
export type KeySource = (token: string) => Promise<{ key: KeyObject; alg: string | undefined }>;

const KEY_ID = /^[A-Za-z0-9\-_]{1,128}$/;

/**
 * Keys from a JWKS (`JWT_JWKS_URL`) through jwks-rsa: each key is kept for
 * `settings.cacheMaxAgeMs` after it was fetched, a `kid` not in the cache fetches the JWKS again
 * (at most `settings.requestsPerMinute` times a minute), and concurrent look-ups of one `kid`
 * share one fetch. A token without a `kid`, or with one the JWKS does not hold, is refused
 * (`key`); a JWKS that cannot be fetched refuses every token (`keys_unavailable`) and is logged as
 * a warning, since no token can be checked until it answers again.
 */
export function jwksKeySource(
  settings: Pick<JwksSettings, 'url' | 'cacheMaxAgeMs' | 'requestsPerMinute' | 'timeoutMs'>,
  logger?: Logger,
): KeySource {
  const client = new JwksClient({
    jwksUri: settings.url,
    cache: true,
    cacheMaxAge: settings.cacheMaxAgeMs,
    cacheMaxEntries: 20,
    rateLimit: true,
    jwksRequestsPerMinute: settings.requestsPerMinute,
    timeout: settings.timeoutMs,
  });
  return async (token) => {
    const decoded = jwt.decode(token, { complete: true });
    if (!decoded) throw new AccessTokenError('malformed', 'jwt malformed');
    const { kid } = decoded.header;
    if (typeof kid !== 'string' || !KEY_ID.test(kid)) {
      throw new AccessTokenError('key', 'token header has no usable kid');
    }
    // `alg` is typed as always there, but a JWK may leave it out.
    let signingKey: { alg?: string; getPublicKey(): string };
    try {
      signingKey = await client.getSigningKey(kid);
    } catch (error) {
      if (error instanceof Error && error.name === 'SigningKeyNotFoundError') {
        throw new AccessTokenError('key', `the JWKS has no key with kid "${kid}"`);
      }
      const message = error instanceof Error ? error.message : String(error);
      logger?.warn(
        { err: error, jwksUrl: settings.url, kid },
        'JWKS cannot be fetched; access tokens are refused until it answers',
      );
      throw new AccessTokenError('keys_unavailable', `JWKS unavailable: ${message}`);
    }
    return { key: createPublicKey(signingKey.getPublicKey()), alg: signingKey.alg };
  };
}
