import { createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@fedstack/kit';
import { jwkThumbprint, parsePublicKeys, publishedJwk } from '../auth/signingKeys';
import { readConfig } from '../config';

const ecPair = (namedCurve = 'P-256') => generateKeyPairSync('ec', { namedCurve });
const spki = (key: ReturnType<typeof ecPair>['publicKey']) =>
  key.export({ type: 'spki', format: 'pem' }).toString();
const pkcs8 = (key: ReturnType<typeof ecPair>['privateKey']) =>
  key.export({ type: 'pkcs8', format: 'pem' }).toString();

describe('signing keys', () => {
  it('computes the RFC 7638 thumbprint of the example key of section 3.1', () => {
    const n =
      '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJEC' +
      'PebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2Qvzq' +
      'Y368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0f' +
      'M4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw';
    const key = createPublicKey({ key: { kty: 'RSA', n, e: 'AQAB' }, format: 'jwk' });
    expect(jwkThumbprint(key)).toBe('NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs');
  });

  it('gives a private key and its public half the same thumbprint, and publishes only public members', () => {
    const { privateKey, publicKey } = ecPair();
    expect(jwkThumbprint(privateKey)).toBe(jwkThumbprint(publicKey));
    expect(jwkThumbprint(ecPair().publicKey)).not.toBe(jwkThumbprint(publicKey));
    const { x, y } = publicKey.export({ format: 'jwk' });
    expect(publishedJwk(privateKey)).toEqual({
      kty: 'EC',
      crv: 'P-256',
      x,
      y,
      kid: jwkThumbprint(publicKey),
      use: 'sig',
      alg: 'ES256',
    });
    expect(publishedJwk(ecPair('P-384').publicKey).alg).toBe('ES384');
  });

  it('reads one or more PEM public keys from one text, and refuses private keys or none', () => {
    const a = ecPair().publicKey;
    const b = ecPair().publicKey;
    const keys = parsePublicKeys(`# retired 2026-11\n${spki(a)}\n${spki(b)}`);
    expect(keys.map(jwkThumbprint)).toEqual([jwkThumbprint(a), jwkThumbprint(b)]);
    expect(() => parsePublicKeys(pkcs8(ecPair().privateKey))).toThrow(/private key/);
    expect(() => parsePublicKeys('hello')).toThrow(/no "BEGIN PUBLIC KEY" PEM block/);
  });
});

describe('readConfig: signing and previous keys', () => {
  let dir: string;
  const current = ecPair();
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'users-keys-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const env = (extra: Record<string, string | undefined> = {}) => ({
    NODE_ENV: 'test',
    DATA_DIR: join(dir, 'data'),
    GATEWAY_SIGNING_SECRET: randomBytes(32).toString('hex'),
    JWT_PRIVATE_KEY: pkcs8(current.privateKey),
    ...extra,
  });
  function configError(extra: Record<string, string | undefined>): string {
    try {
      readConfig(env(extra));
    } catch (error) {
      if (error instanceof ConfigError) return error.message;
      throw error;
    }
    throw new Error('expected a ConfigError');
  }

  it('has no previous keys by default', () => {
    expect(readConfig(env()).jwtPreviousPublicKeys).toEqual([]);
  });

  it('reads previous public keys from JWT_PREVIOUS_PUBLIC_KEYS_FILE or JWT_PREVIOUS_PUBLIC_KEYS', () => {
    const a = ecPair().publicKey;
    const b = ecPair().publicKey;
    const file = join(dir, 'previous.pem');
    writeFileSync(file, `${spki(a)}${spki(b)}`);
    const fromFile = readConfig(env({ JWT_PREVIOUS_PUBLIC_KEYS_FILE: file }));
    expect(fromFile.jwtPreviousPublicKeys.map(jwkThumbprint)).toEqual([
      jwkThumbprint(a),
      jwkThumbprint(b),
    ]);
    const inline = readConfig(env({ JWT_PREVIOUS_PUBLIC_KEYS: spki(a).replace(/\n/g, '\\n') }));
    expect(inline.jwtPreviousPublicKeys.map(jwkThumbprint)).toEqual([jwkThumbprint(a)]);
  });

  it('refuses unusable previous keys and a signing key that cannot sign ES256', () => {
    expect(configError({ JWT_PREVIOUS_PUBLIC_KEYS_FILE: join(dir, 'missing.pem') })).toMatch(
      /JWT_PREVIOUS_PUBLIC_KEYS_FILE ".*missing.pem" cannot be read/,
    );
    expect(configError({ JWT_PREVIOUS_PUBLIC_KEYS: pkcs8(ecPair().privateKey) })).toMatch(
      /JWT_PREVIOUS_PUBLIC_KEYS must hold one or more PEM-encoded public keys: .*private key/,
    );
    expect(
      configError({ JWT_PREVIOUS_PUBLIC_KEYS: 'a', JWT_PREVIOUS_PUBLIC_KEYS_FILE: 'b' }),
    ).toMatch(/not both/);
    expect(configError({ JWT_PRIVATE_KEY: pkcs8(ecPair('P-384').privateKey) })).toMatch(
      'JWT_PRIVATE_KEY must be an EC P-256 key',
    );
  });
});
