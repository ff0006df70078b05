import { createHash, createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';

/** One key of the JWKS (RFC 7517) that the users subgraph publishes. */
export interface PublishedJwk {
  kty: string;
  kid: string;
  use: 'sig';
  alg: string;
  crv?: string;
  x?: string;
  y?: string;
  n?: string;
  e?: string;
}

/** The members of each key type that its RFC 7638 thumbprint covers, in lexicographic order. */
const THUMBPRINT_MEMBERS: Record<string, readonly (keyof JsonWebKey)[]> = {
  EC: ['crv', 'kty', 'x', 'y'],
  RSA: ['e', 'kty', 'n'],
};

const EC_ALGORITHMS: Record<string, string> = {
  'P-256': 'ES256',
  'P-384': 'ES384',
  'P-521': 'ES512',
};

function jwkOf(key: KeyObject): JsonWebKey {
  return (key.type === 'private' ? createPublicKey(key) : key).export({ format: 'jwk' });
}

/**
 * The RFC 7638 JWK thumbprint of a key's public half: SHA-256 over the JSON of its required
 * members in lexicographic order, without whitespace, base64url-encoded. Used as the `kid`.
 */
export function jwkThumbprint(key: KeyObject): string {
  const jwk = jwkOf(key);
  const members = THUMBPRINT_MEMBERS[jwk.kty ?? ''];
  if (!members) throw new Error(`no JWK thumbprint for key type ${jwk.kty}`);
  const canonical = JSON.stringify(Object.fromEntries(members.map((name) => [name, jwk[name]])));
  return createHash('sha256').update(canonical).digest('base64url');
}

/** The JWS algorithm a key signs with: ES256/384/512 by curve, RS256 for RSA. */
export function algorithmOf(key: KeyObject): string {
  const jwk = jwkOf(key);
  const algorithm = jwk.kty === 'RSA' ? 'RS256' : EC_ALGORITHMS[jwk.crv ?? ''];
  if (!algorithm) {
    throw new Error(`unsupported key for signing tokens: ${jwk.kty} ${jwk.crv ?? ''}`.trim());
  }
  return algorithm;
}

/** A key's public half as published in the JWKS, with its thumbprint as `kid`. */
export function publishedJwk(key: KeyObject): PublishedJwk {
  const { kty = '', crv, x, y, n, e } = jwkOf(key);
  return {
    kty,
    ...(crv === undefined ? {} : { crv }),
    ...(x === undefined ? {} : { x }),
    ...(y === undefined ? {} : { y }),
    ...(n === undefined ? {} : { n }),
    ...(e === undefined ? {} : { e }),
    kid: jwkThumbprint(key),
    use: 'sig',
    alg: algorithmOf(key),
  };
}

const PEM_PUBLIC_KEY = /-----BEGIN PUBLIC KEY-----[\s\S]*?-----END PUBLIC KEY-----/g;

/**
 * The public keys of a PEM text holding one or more `PUBLIC KEY` blocks; anything between the
 * blocks (comments, blank lines) is ignored. Throws an `Error` saying what is wrong.
 */
export function parsePublicKeys(pem: string): KeyObject[] {
  if (/PRIVATE KEY/.test(pem)) throw new Error('it holds a private key; give public keys only');
  const blocks = pem.match(PEM_PUBLIC_KEY) ?? [];
  if (blocks.length === 0) throw new Error('it holds no "BEGIN PUBLIC KEY" PEM block');
  return blocks.map((block) => {
    const key = createPublicKey(block);
    algorithmOf(key);
    return key;
  });
}
