/** Why an access token was refused; logged, and `expired` is also told to the client. */
export type AccessTokenFailure =
  | 'malformed'
  | 'algorithm'
  | 'signature'
  | 'expired'
  | 'not_yet_valid'
  | 'claims'
  | 'type'
  | 'revoked'
  /** No `kid`, or one the JWKS does not hold (`JWT_JWKS_URL`). */
  | 'key'
  /** The JWKS cannot be fetched, so no token can be checked. */
  | 'keys_unavailable';

/** Thrown for a bearer token that is present but cannot be trusted. */
export class AccessTokenError extends Error {
  override name = 'AccessTokenError';

  constructor(
    readonly reason: AccessTokenFailure,
    message: string,
  ) {
    super(message);
  }

  /** What the client is told: whether to refresh, and nothing that helps forge a token. */
  get publicMessage(): string {
    if (this.reason === 'expired') return 'Access token expired';
    if (this.reason === 'revoked') return 'Access token revoked';
    return 'Invalid access token';
  }
}
