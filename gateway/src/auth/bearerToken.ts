import { AccessTokenError } from './AccessTokenError';

/**
 * The token of an `Authorization: Bearer <token>` header; null when there is no header. Any
 * other shape (another scheme, no token, several tokens) is a bad token rather than anonymous,
 * so that a client that meant to authenticate never silently runs as nobody.
 */
export function bearerTokenFrom(header: string | undefined): string | null {
  if (header === undefined) return null;
  const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(header);
  if (!match?.[1]) {
    throw new AccessTokenError('malformed', 'Authorization header is not "Bearer <token>"');
  }
  return match[1];
}
