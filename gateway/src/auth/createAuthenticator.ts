import type { KeyObject } from 'node:crypto';
import type { Identity } from '@fedstack/kit/envelope';
import type { Logger } from '@fedstack/kit/logger';
import type { JwksSettings } from '../config';
import { bearerTokenFrom } from './bearerToken';
import { jwksKeySource } from './jwksKeySource';
import { verifyAccessToken, type AccessTokenPolicy } from './verifyAccessToken';

/**
 * Resolves the `Authorization` header of a request to the caller: null with no header, the
 * verified identity with a good bearer token, and a rejection with an `AccessTokenError` for
 * anything else.
 */
export type Authenticator = (authorization: string | undefined) => Promise<Identity | null>;

/**
 * How tokens are checked: `AccessTokenPolicy` with its key taken, by the token's `kid`, from a
 * JWKS (`jwks`, `JWT_JWKS_URL`) when given, and otherwise the one `publicKey`
 * (`JWT_PUBLIC_KEY(_FILE)`).
 */
export interface AuthenticatorSettings extends Omit<AccessTokenPolicy, 'publicKey'> {
  publicKey?: KeyObject | undefined;
  jwks?: JwksSettings | undefined;
}

export function createAuthenticator(
  settings: AuthenticatorSettings,
  options: { logger?: Logger } = {},
): Authenticator {
  const { publicKey, jwks, ...policy } = settings;
  if (!jwks) {
    if (!publicKey) throw new Error('createAuthenticator needs a publicKey or a jwks');
    const fixed: AccessTokenPolicy = { ...policy, publicKey };
    return async (authorization) => {
      const token = bearerTokenFrom(authorization);
      return token === null ? null : verifyAccessToken(token, fixed);
    };
  }
  const keyFor = jwksKeySource(jwks, options.logger);
  return async (authorization) => {
    const token = bearerTokenFrom(authorization);
    if (token === null) return null;
    return verifyAccessToken(token, { ...policy, publicKey: await keyFor(token) });
  };
}
