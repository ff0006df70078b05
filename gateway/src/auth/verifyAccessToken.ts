import type { KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { Identity } from '@fedstack/envelope/envelope';
import { AccessTokenError } from './AccessTokenError';

/** What an access token must satisfy; every field is pinned, nothing is taken from the token. */
export interface AccessTokenPolicy {
  publicKey: KeyObject;
  algorithms: readonly jwt.Algorithm[];
  issuer: string;
  /** The token's `aud` must hold this audience, or one of these. */
  audience: string | readonly string[];
  clockToleranceSeconds: number;
}

/** RFC 9068 media type of an access token; `typ` tells it apart from ID or refresh JWTs. */
const ACCESS_TOKEN_TYPES = new Set(['at+jwt', 'application/at+jwt']);

/**
 * Printable ASCII only, with no space at either end: the claims travel on to subgraphs as HTTP
 * header values, which HTTP would trim.
 */
export const HEADER_SAFE = /^[\x21-\x7e](?:[\x20-\x7e]{0,254}[\x21-\x7e])?$/;

/**
 * Why jsonwebtoken refused `token`, told by what the library exposes rather than by its messages:
 * its error classes for time, and otherwise the same library asked again with the signature alone.
 * A token that still fails then has a bad signature (or an algorithm outside `algorithms`, which
 * jsonwebtoken refuses before it looks at the key); one that passes failed on a claim.
 */
function refusal(
  error: unknown,
  token: string,
  policy: AccessTokenPolicy,
  decoded: jwt.Jwt | null,
): AccessTokenError {
  const detail = error instanceof Error ? error.message : String(error);
  if (error instanceof jwt.TokenExpiredError) {
    return new AccessTokenError('expired', `token expired at ${error.expiredAt.toISOString()}`);
  }
  if (error instanceof jwt.NotBeforeError) {
    return new AccessTokenError(
      'not_yet_valid',
      `token not valid before ${error.date.toISOString()}`,
    );
  }
  if (!decoded) return new AccessTokenError('malformed', detail);
  if (decoded.signature === '') return new AccessTokenError('signature', detail);
  // Outside its own error classes, jsonwebtoken throws only for a key that cannot verify the
  // token's algorithm (an RSA key for ES256, a P-256 key for ES384).
  if (
    !policy.algorithms.includes(decoded.header.alg as jwt.Algorithm) ||
    !(error instanceof jwt.JsonWebTokenError)
  ) {
    return new AccessTokenError('algorithm', detail);
  }
  try {
    jwt.verify(token, policy.publicKey, {
      algorithms: [...policy.algorithms],
      ignoreExpiration: true,
      ignoreNotBefore: true,
    });
  } catch {
    return new AccessTokenError('signature', detail);
  }
  return new AccessTokenError('claims', detail);
}

/**
 * Checks what every access token must have, whoever issued it: a signature by
 * `policy.publicKey` in one of `policy.algorithms`, and `iss`, `aud`, `exp` and `nbf` with
 * `policy.clockToleranceSeconds` of leeway, all done by jsonwebtoken. `exp` must be present:
 * jsonwebtoken checks it only when it is there, so that one check is made here. Answers the
 * verified header and payload; throws an `AccessTokenError` otherwise.
 */
export function verifyJwt(
  token: string,
  policy: AccessTokenPolicy,
  nowSeconds?: number,
): { header: jwt.JwtHeader; payload: jwt.JwtPayload } {
  let verified: jwt.Jwt;
  try {
    verified = jwt.verify(token, policy.publicKey, {
      complete: true,
      algorithms: [...policy.algorithms],
      issuer: policy.issuer,
      audience:
        typeof policy.audience === 'string'
          ? policy.audience
          : ([...policy.audience] as [string, ...string[]]),
      clockTolerance: policy.clockToleranceSeconds,
      ...(nowSeconds === undefined ? {} : { clockTimestamp: nowSeconds }),
    });
  } catch (error) {
    throw refusal(error, token, policy, jwt.decode(token, { complete: true }));
  }
  const { header, payload } = verified;
  if (typeof payload === 'string') {
    throw new AccessTokenError('malformed', 'token payload is not a JSON object');
  }
  if (typeof payload.exp !== 'number') {
    throw new AccessTokenError('claims', 'token has no exp claim');
  }
  return { header, payload };
}

/** Whether `typ` names an RFC 9068 access token. */
export function isAccessTokenType(typ: unknown): boolean {
  return typeof typ === 'string' && ACCESS_TOKEN_TYPES.has(typ.toLowerCase());
}

/**
 * Verifies an access token of the built-in issuer (the users subgraph) and returns the caller it
 * names: `verifyJwt`, then the header must say `typ: at+jwt`; `sub` and `role` must be present;
 * `sid` (the login session) and `ver` (the account's token version) are passed on when present.
 * Throws an `AccessTokenError` otherwise.
 *
 * @param nowSeconds the current time in seconds since the epoch; defaults to the clock.
 */
export function verifyAccessToken(
  token: string,
  policy: AccessTokenPolicy,
  nowSeconds?: number,
): Identity {
  const { header, payload } = verifyJwt(token, policy, nowSeconds);
  if (!isAccessTokenType(header.typ)) {
    throw new AccessTokenError(
      'type',
      `expected typ "at+jwt", got ${JSON.stringify(header.typ ?? null)}`,
    );
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
