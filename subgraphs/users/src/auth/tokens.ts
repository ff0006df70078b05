import { createHash, createPrivateKey, randomBytes, randomUUID, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { Role } from '@fedstack/kit';
import { jwkThumbprint, publishedJwk, type PublishedJwk } from './signingKeys';

export interface TokenSettings {
  privateKeyPem: string;
  issuer: string;
  audience: string;
  accessTokenTtlSeconds: number;
}

/**
 * Signs ES256 access tokens (RFC 9068 `at+jwt`) carrying `sub`, `role`, the login session `sid`
 * and the account's token version `ver`, by which gateways and the users subgraph tell a token
 * that its account or login has since outgrown.
 */
export class AccessTokenSigner {
  private readonly privateKey: KeyObject;
  /**
   * RFC 7638 thumbprint of the public key, sent as the tokens' `kid` and published in the JWKS, so
   * verifiers can tell keys apart during a rotation.
   */
  readonly keyId: string;

  constructor(private readonly settings: TokenSettings) {
    this.privateKey = createPrivateKey(settings.privateKeyPem);
    this.keyId = jwkThumbprint(this.privateKey);
  }

  /** The public half of the signing key, as the JWKS publishes it. */
  get publicJwk(): PublishedJwk {
    return publishedJwk(this.privateKey);
  }

  get ttlSeconds(): number {
    return this.settings.accessTokenTtlSeconds;
  }

  sign(user: { id: number; role: Role; sessionId: string; tokenVersion: number }): string {
    return jwt.sign(
      { role: user.role, sid: user.sessionId, ver: user.tokenVersion },
      this.privateKey,
      {
        algorithm: 'ES256',
        subject: String(user.id),
        issuer: this.settings.issuer,
        audience: this.settings.audience,
        expiresIn: this.settings.accessTokenTtlSeconds,
        jwtid: randomUUID(),
        keyid: this.keyId,
        header: { alg: 'ES256', typ: 'at+jwt' },
      },
    );
  }
}

/** A new opaque refresh token: 256 random bits. Only its hash is stored. */
export function newRefreshToken(): string {
  return randomBytes(32).toString('base64url');
}

/** SHA-256 is enough here: the token is high-entropy, so it cannot be guessed from its hash. */
export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
