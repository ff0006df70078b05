import { createHmac, generateKeyPairSync, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';

export interface TestKeys {
  privateKey: KeyObject;
  publicKey: KeyObject;
  publicKeyPem: string;
}

/** A fresh ES256 key pair, as the users subgraph would hold. */
export function generateTestKeys(): TestKeys {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    privateKey,
    publicKey,
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

export const ISSUER = 'fedstack';
export const AUDIENCE = 'fedstack-api';

/** The claims the users subgraph puts in an access token issued at `now` (seconds). */
export function standardClaims(now = Math.floor(Date.now() / 1000)): Record<string, unknown> {
  return {
    sub: '1',
    role: 'USER',
    iss: ISSUER,
    aud: AUDIENCE,
    iat: now,
    exp: now + 300,
    jti: 'test-jti',
  };
}

/**
 * Signs an access token like the users subgraph does. `claims` are merged over the standard
 * ones, and a claim set to undefined is left out; `header` is merged over `{ typ: 'at+jwt' }`.
 */
export function signAccessToken(
  keys: TestKeys,
  claims: Record<string, unknown> = {},
  options: { header?: Record<string, unknown>; key?: KeyObject; algorithm?: jwt.Algorithm } = {},
): string {
  const payload = Object.fromEntries(
    Object.entries({ ...standardClaims(), ...claims }).filter(([, value]) => value !== undefined),
  );
  const algorithm = options.algorithm ?? 'ES256';
  return jwt.sign(payload, options.key ?? keys.privateKey, {
    algorithm,
    keyid: 'test-kid',
    header: { alg: algorithm, typ: 'at+jwt', ...options.header },
  });
}

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A token with `header` and `payload` as given and an HMAC-SHA256 (or no) signature by `secret`. */
export function forgeToken(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  secret?: string,
): string {
  const input = `${base64url(header)}.${base64url(payload)}`;
  const signature = secret ? createHmac('sha256', secret).update(input).digest('base64url') : '';
  return `${input}.${signature}`;
}

/** The same token with one byte in the middle of its signature changed. */
export function flipSignatureByte(token: string): string {
  const [header, payload, signature = ''] = token.split('.');
  const bytes = Buffer.from(signature, 'base64url');
  bytes[10] = (bytes[10] ?? 0) ^ 0xff;
  return `${header}.${payload}.${bytes.toString('base64url')}`;
}
