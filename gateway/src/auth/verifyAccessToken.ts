import type { KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { Identity } from '@fedstack/kit/envelope';
import { AccessTokenError } from './AccessTokenError';

/** What an access token must satisfy; every field is pinned, nothing is taken from the token. */
export interface AccessTokenPolicy {
  publicKey: KeyObject;
  algorithms: readonly jwt.Algorithm[];
  issuer: string;
  audience: string;
  clockToleranceSeconds: number;
}

/** RFC 9068 media type of an access token; `typ` tells it apart from ID or refresh JWTs. */
const ACCESS_TOKEN_TYPES = new Set(['at+jwt', 'application/at+jwt']);

/**
 * Printable ASCII only, with no space at either end: the claims travel on to subgraphs as HTTP
 * header values, which HTTP would trim.
 */
const HEADER_SAFE = /^[\x21-\x7e](?:[\x20-\x7e]{0,254}[\x21-\x7e])?$/;

function refusal(error: unknown): AccessTokenError {
  if (error instanceof jwt.TokenExpiredError) {
    return new AccessTokenError('expired', `token expired at ${error.expiredAt.toISOString()}`);
  }
  if (error instanceof jwt.NotBeforeError) {
    return new AccessTokenError(
      'not_yet_valid',
      `token not valid before ${error.date.toISOString()}`,
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  if (/algorithm/.test(message)) return new AccessTokenError('algorithm', message);
  if (/signature/.test(message)) return new AccessTokenError('signature', message);
  if (/audience|issuer|subject|jwtid|maxAge|iat|exp|nbf/.test(message)) {
    return new AccessTokenError('claims', message);
  }
  return new AccessTokenError('malformed', message);
}

/**
 * Verifies an access token and returns the caller it names. The signature must be one of
 * `policy.algorithms` by `policy.publicKey`; `iss`, `aud`, `exp` (required) and `nbf` are checked
 * with `policy.clockToleranceSeconds` of leeway; the header must say `typ: at+jwt`; `sub` and
 * `role` must be present; `sid` (the login session) and `ver` (the account's token version) are
 * passed on when present. Throws an `AccessTokenError` otherwise.
 *
 * @param nowSeconds the current time in seconds since the epoch; defaults to the clock.
 */
export function verifyAccessToken(
  token: string,
  policy: AccessTokenPolicy,
  nowSeconds?: number,
): Identity {
  let decoded: jwt.Jwt;
  try {
    decoded = jwt.verify(token, policy.publicKey, {
      complete: true,
      algorithms: [...policy.algorithms],
      issuer: policy.issuer,
      audience: policy.audience,
      clockTolerance: policy.clockToleranceSeconds,
      ...(nowSeconds === undefined ? {} : { clockTimestamp: nowSeconds }),
    });
  } catch (error) {
    throw refusal(error);
  }

  const typ = decoded.header.typ;
  if (typeof typ !== 'string' || !ACCESS_TOKEN_TYPES.has(typ.toLowerCase())) {
    throw new AccessTokenError('type', `expected typ "at+jwt", got ${JSON.stringify(typ ?? null)}`);
  }
  const payload = decoded.payload;
  if (typeof payload !== 'object' || payload === null) {
    throw new AccessTokenError('malformed', 'token payload is not a JSON object');
  }
  if (typeof payload.exp !== 'number') {
    throw new AccessTokenError('claims', 'token has no exp claim');
  }
  const { sub } = payload;
  const role: unknown = payload.role;
  if (typeof sub !== 'string' || !HEADER_SAFE.test(sub)) {
    throw new AccessTokenError('claims', 'token has no usable sub claim');
  }
  if (typeof role !== 'string' || !HEADER_SAFE.test(role)) {
    throw new AccessTokenError('claims', 'token has no usable role claim');
  }
  const sid: unknown = payload.sid;
  const ver: unknown = payload.ver;
  if (sid !== undefined && (typeof sid !== 'string' || !HEADER_SAFE.test(sid))) {
    throw new AccessTokenError('claims', 'token has an unusable sid claim');
  }
  if (ver !== undefined && !(Number.isSafeInteger(ver) && (ver as number) >= 0)) {
    throw new AccessTokenError('claims', 'token has an unusable ver claim');
  }
  return {
    userId: sub,
    role,
    ...(sid === undefined ? {} : { sessionId: sid }),
    ...(ver === undefined ? {} : { tokenVersion: ver as number }),
  };
}
