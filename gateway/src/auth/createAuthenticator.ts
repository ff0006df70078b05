import type { KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { Identity } from '@fedstack/envelope/envelope';
import type { Logger } from '@fedstack/runtime/logger';
import type { JwksSettings } from '../config';
import { AccessTokenError } from './AccessTokenError';
import { bearerTokenFrom } from './bearerToken';
import { algorithmsFor, externalVerifier, type ExternalCaller } from './externalIssuer';
import type { ExternalIssuerSettings } from './issuerSettings';
import { jwksKeySource } from './jwksKeySource';
import { verifyAccessToken, type AccessTokenPolicy } from './verifyAccessToken';

/**
 * Resolves the `Authorization` header of a request to the caller: null with no header, the
 * verified identity with a good bearer token, and a rejection with an `AccessTokenError` for
 * anything else.
 */
export type Authenticator = (authorization: string | undefined) => Promise<Identity | null>;

/**
 * How tokens are checked. The built-in issuer's (`issuer`, unless `builtin` is false):
 * `AccessTokenPolicy` with its key taken, by the token's `kid`, from a JWKS (`jwks`,
 * `JWT_JWKS_URL`) when given, and otherwise the one `publicKey` (`JWT_PUBLIC_KEY(_FILE)`). And
 * the external issuers' (`issuers`, `JWT_ISSUERS_FILE`), each with its own settings.
 */
export interface AuthenticatorSettings extends Omit<AccessTokenPolicy, 'publicKey'> {
  publicKey?: KeyObject | undefined;
  jwks?: JwksSettings | undefined;
  /** Accept the built-in issuer's tokens (`JWT_BUILTIN_ISSUER`); default true. */
  builtin?: boolean;
  issuers?: readonly ExternalIssuerSettings[];
}

export interface AuthenticatorOptions {
  logger?: Logger;
  /** Links an external caller to the local account it acts as; needed with `issuers`. */
  link?: (caller: ExternalCaller) => Promise<Identity>;
}

type Verify = (token: string) => Promise<Identity>;

function builtinVerifier(
  settings: AuthenticatorSettings,
  policy: Omit<AccessTokenPolicy, 'publicKey'>,
  logger: Logger | undefined,
): Verify {
  const { publicKey, jwks } = settings;
  if (jwks) {
    const keyFor = jwksKeySource(jwks, logger);
    return async (token) => {
      const { key, alg } = await keyFor(token);
      return verifyAccessToken(token, {
        ...policy,
        publicKey: key,
        algorithms: algorithmsFor(policy.algorithms, alg),
      });
    };
  }
  if (!publicKey) throw new Error('createAuthenticator needs a publicKey or a jwks');
  const fixed: AccessTokenPolicy = { ...policy, publicKey };
  return async (token) => verifyAccessToken(token, fixed);
}

/**
 * A token goes to the issuer its `iss` names, read before verification only to pick the policy;
 * that issuer's pinned settings then verify it. An `iss` that names no accepted issuer is
 * refused, as is a token without one.
 */
export function createAuthenticator(
  settings: AuthenticatorSettings,
  options: AuthenticatorOptions = {},
): Authenticator {
  const { algorithms, issuer, audience, clockToleranceSeconds } = settings;
  const verifiers = new Map<string, Verify>();
  if (settings.builtin !== false) {
    verifiers.set(
      issuer,
      builtinVerifier(
        settings,
        { algorithms, issuer, audience, clockToleranceSeconds },
        options.logger,
      ),
    );
  }
  for (const external of settings.issuers ?? []) {
    const { link } = options;
    if (!link) throw new Error('createAuthenticator needs link() with external issuers');
    const verify = externalVerifier(external, options.logger);
    verifiers.set(external.issuer, async (token) => link(await verify(token)));
  }
  if (verifiers.size === 0) throw new Error('createAuthenticator needs at least one issuer');

  return async (authorization) => {
    const token = bearerTokenFrom(authorization);
    if (token === null) return null;
    const decoded = jwt.decode(token, { json: true });
    if (!decoded) throw new AccessTokenError('malformed', 'jwt malformed');
    const verify = typeof decoded.iss === 'string' ? verifiers.get(decoded.iss) : undefined;
    if (verify) return verify(token);
    throw new AccessTokenError(
      'claims',
      `token issuer ${JSON.stringify(decoded.iss ?? null)} is not accepted`,
    );
  };
}
