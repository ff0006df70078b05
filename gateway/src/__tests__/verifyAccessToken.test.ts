import { generateKeyPairSync } from 'node:crypto';
import { AccessTokenError, type AccessTokenFailure } from '../auth/AccessTokenError';
import { bearerTokenFrom } from '../auth/bearerToken';
import { createAuthenticator } from '../auth/createAuthenticator';
import { verifyAccessToken, type AccessTokenPolicy } from '../auth/verifyAccessToken';
import {
  AUDIENCE,
  flipSignatureByte,
  forgeToken,
  generateTestKeys,
  ISSUER,
  signAccessToken,
  standardClaims,
} from './support/tokens';

const keys = generateTestKeys();
const policy: AccessTokenPolicy = {
  publicKey: keys.publicKey,
  algorithms: ['ES256'],
  issuer: ISSUER,
  audience: AUDIENCE,
  clockToleranceSeconds: 5,
};

function refusalOf(token: string, nowSeconds?: number): AccessTokenFailure {
  try {
    verifyAccessToken(token, policy, nowSeconds);
  } catch (error) {
    if (error instanceof AccessTokenError) return error.reason;
    throw error;
  }
  throw new Error('expected the token to be refused, but it was accepted');
}

describe('verifyAccessToken', () => {
  it('returns the caller of a valid token', () => {
    const token = signAccessToken(keys, { sub: '42', role: 'ADMIN' });
    expect(verifyAccessToken(token, policy)).toEqual({ userId: '42', role: 'ADMIN' });
  });

  it('accepts the long form of the access-token type', () => {
    const token = signAccessToken(keys, {}, { header: { typ: 'application/at+jwt' } });
    expect(verifyAccessToken(token, policy)).toEqual({ userId: '1', role: 'USER' });
  });

  it('allows the configured clock tolerance around exp and nbf', () => {
    const now = 1_800_000_000;
    const token = signAccessToken(keys, { ...standardClaims(now), nbf: now + 4 });
    expect(verifyAccessToken(token, policy, now).userId).toBe('1');
    expect(verifyAccessToken(token, policy, now + 300 + 4).userId).toBe('1');
  });

  it('refuses an unsigned token (alg none)', () => {
    const token = forgeToken({ alg: 'none', typ: 'at+jwt' }, standardClaims());
    expect(refusalOf(token)).toBe('signature');
  });

  it('refuses an HS256 token keyed with the public key', () => {
    const token = forgeToken({ alg: 'HS256', typ: 'at+jwt' }, standardClaims(), keys.publicKeyPem);
    expect(refusalOf(token)).toBe('algorithm');
  });

  it('refuses an algorithm outside the pinned list even with a valid signature', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const token = signAccessToken(keys, {}, { key: rsa.privateKey, algorithm: 'RS256' });
    expect(refusalOf(token)).toBe('algorithm');
  });

  it('refuses a token whose signature was altered', () => {
    const token = signAccessToken(keys);
    expect(verifyAccessToken(token, policy).userId).toBe('1');
    expect(refusalOf(flipSignatureByte(token))).toBe('signature');
  });

  it('refuses a token whose payload was altered', () => {
    const [header, , signature] = signAccessToken(keys).split('.');
    const payload = Buffer.from(JSON.stringify({ ...standardClaims(), role: 'ADMIN' })).toString(
      'base64url',
    );
    expect(refusalOf(`${header}.${payload}.${signature}`)).toBe('signature');
  });

  it('refuses a token signed by another key', () => {
    const other = generateTestKeys();
    expect(refusalOf(signAccessToken(other))).toBe('signature');
  });

  it('refuses an expired token once past the tolerance', () => {
    const now = 1_800_000_000;
    const token = signAccessToken(keys, standardClaims(now));
    expect(refusalOf(token, now + 300 + 6)).toBe('expired');
  });

  it('refuses a token that is not valid yet', () => {
    const now = Math.floor(Date.now() / 1000);
    expect(refusalOf(signAccessToken(keys, { nbf: now + 60 }))).toBe('not_yet_valid');
  });

  it('refuses a token without exp', () => {
    expect(refusalOf(signAccessToken(keys, { exp: undefined }))).toBe('claims');
  });

  it.each([
    ['a wrong issuer', { iss: 'someone-else' }],
    ['no issuer', { iss: undefined }],
    ['a wrong audience', { aud: 'another-api' }],
    ['no audience', { aud: undefined }],
    ['no sub', { sub: undefined }],
    ['an empty sub', { sub: '' }],
    ['a numeric sub', { sub: 42 }],
    ['no role', { role: undefined }],
    ['a sub that would break a header', { sub: '1\r\nx-user-role: ADMIN' }],
  ])('refuses a token with %s', (_label, claims) => {
    expect(refusalOf(signAccessToken(keys, claims))).toBe('claims');
  });

  it.each([
    ['JWT', { typ: 'JWT' }],
    ['no', { typ: undefined }],
  ])('refuses a token with %s type', (_label, header) => {
    expect(refusalOf(signAccessToken(keys, {}, { header }))).toBe('type');
  });

  it.each(['', 'abc', 'a.b.c', 'a.b'])('refuses the malformed token %j', (token) => {
    expect(refusalOf(token)).toBe('malformed');
  });

  it('tells the client only whether the token expired', () => {
    expect(new AccessTokenError('expired', 'detail').publicMessage).toBe('Access token expired');
    expect(new AccessTokenError('signature', 'detail').publicMessage).toBe('Invalid access token');
  });
});

describe('bearerTokenFrom', () => {
  it('is null without a header and the token with one', () => {
    expect(bearerTokenFrom(undefined)).toBeNull();
    expect(bearerTokenFrom('Bearer abc.def.ghi')).toBe('abc.def.ghi');
    expect(bearerTokenFrom('bearer abc.def.ghi')).toBe('abc.def.ghi');
  });

  it.each([
    '',
    'Bearer',
    'Bearer ',
    'Basic dXNlcjpwYXNz',
    'Bearer a b',
    'abc.def.ghi',
    'Bearer a,b',
  ])('treats %j as a bad token', (header) => {
    expect(() => bearerTokenFrom(header)).toThrow(AccessTokenError);
  });
});

describe('createAuthenticator', () => {
  const authenticate = createAuthenticator(policy);

  it('is anonymous without a header, the caller with a good token, and throws otherwise', async () => {
    await expect(authenticate(undefined)).resolves.toBeNull();
    await expect(authenticate(`Bearer ${signAccessToken(keys, { sub: '7' })}`)).resolves.toEqual({
      userId: '7',
      role: 'USER',
    });
    await expect(authenticate('Bearer not-a-token')).rejects.toThrow(AccessTokenError);
  });
});
