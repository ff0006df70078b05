import type { Identity } from '@fedstack/kit/envelope';
import { bearerTokenFrom } from './bearerToken';
import { verifyAccessToken, type AccessTokenPolicy } from './verifyAccessToken';

/**
 * Resolves the `Authorization` header of a request to the caller: null with no header, the
 * verified identity with a good bearer token, and an `AccessTokenError` for anything else.
 */
export type Authenticator = (authorization: string | undefined) => Identity | null;

export function createAuthenticator(policy: AccessTokenPolicy): Authenticator {
  return (authorization) => {
    const token = bearerTokenFrom(authorization);
    return token === null ? null : verifyAccessToken(token, policy);
  };
}
