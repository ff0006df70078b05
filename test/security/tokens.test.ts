import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import jwt from 'jsonwebtoken';
import { codesOf, startStack, type Stack } from '../helpers/stack';

/**
 * Item 1 of the security issue: every forged, tampered, expired or misused bearer token is
 * refused at the gateway with HTTP 401 UNAUTHENTICATED, before any subgraph runs anything.
 */

const ME = '{ me { id } }';
const now = () => Math.floor(Date.now() / 1000);

interface Forger {
  stack: Stack;
  privateKey: string;
  publicKey: string;
  aliceId: string;
  /** Signs an access token like the users subgraph; an option given as undefined leaves that claim out. */
  sign(claims?: Record<string, unknown>, options?: jwt.SignOptions, key?: jwt.Secret): string;
}

async function startForger(env: Record<string, string> = {}): Promise<Forger> {
  const stack = await startStack({ env });
  const privateKey = readFileSync(join(stack.dataDir, 'keys', 'jwt-private.pem'), 'utf8');
  const publicKey = readFileSync(join(stack.dataDir, 'keys', 'jwt-public.pem'), 'utf8');
  const aliceId = (await stack.login('alice', 'alice-password')).userId;
  const sign: Forger['sign'] = (claims = {}, options = {}, key = privateKey) => {
    const merged: jwt.SignOptions = {
      algorithm: 'ES256',
      issuer: 'fedstack',
      audience: 'fedstack-api',
      subject: aliceId,
      expiresIn: 300,
      ...options,
      header: { alg: options.algorithm ?? 'ES256', typ: 'at+jwt', ...options.header },
    };
    for (const [name, value] of Object.entries(merged)) {
      if (value === undefined) delete merged[name as keyof jwt.SignOptions];
    }
    return jwt.sign({ role: 'ADMIN', ...claims }, key, merged);
  };
  return { stack, privateKey, publicKey, aliceId, sign };
}

/** Sends `query` with `token` and expects a 401 UNAUTHENTICATED with no data and no SQL run anywhere. */
async function expectRefused(stack: Stack, token: string, query = ME): Promise<void> {
  stack.resetSql();
  const res = await stack.request(query, {}, { token });
  expect(res.status).toBe(401);
  expect(codesOf(res.body)).toEqual(['UNAUTHENTICATED']);
  expect(res.body.data ?? null).toBeNull();
  expect(res.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);
  for (const subgraph of Object.values(stack.subgraphs)) expect(subgraph.sql).toEqual([]);
}

async function expectAccepted(stack: Stack, token: string, aliceId: string): Promise<void> {
  const res = await stack.request<{ me: { id: string } }>(ME, {}, { token });
  expect(res.status).toBe(200);
  expect(res.body.data?.me.id).toBe(aliceId);
}

describe('1. tokens', () => {
  let forger: Forger;
  beforeAll(async () => {
    forger = await startForger();
  });
  afterAll(() => forger.stack.stop());

  it('sanity: a token signed with the real key and claims is accepted, so each refusal below means something', async () => {
    await expectAccepted(forger.stack, forger.sign(), forger.aliceId);
  });

  it('refuses alg: none', async () => {
    const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const claims = {
      sub: forger.aliceId,
      role: 'ADMIN',
      iss: 'fedstack',
      aud: 'fedstack-api',
      exp: now() + 300,
    };
    await expectRefused(
      forger.stack,
      `${encode({ alg: 'none', typ: 'at+jwt' })}.${encode(claims)}.`,
    );
    await expectRefused(
      forger.stack,
      `${encode({ alg: 'none', typ: 'at+jwt' })}.${encode(claims)}.${'A'.repeat(86)}`,
    );
  });

  it('refuses HS256 signed with the public key as the HMAC secret', async () => {
    await expectRefused(forger.stack, forger.sign({}, { algorithm: 'HS256' }, forger.publicKey));
  });

  it('refuses a flipped signature byte and a tampered payload', async () => {
    const token = forger.sign({ role: 'USER' });
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const flipped = Buffer.from(signature, 'base64url');
    flipped[10] = flipped[10]! ^ 0x01;
    await expectRefused(forger.stack, `${header}.${payload}.${flipped.toString('base64url')}`);
    const promoted = Buffer.from(
      JSON.stringify({ ...(jwt.decode(token) as object), role: 'ADMIN' }),
    ).toString('base64url');
    await expectRefused(forger.stack, `${header}.${promoted}.${signature}`);
  });

  it('refuses an expired token, and tells the client it expired', async () => {
    const expired = forger.sign({ exp: now() - 3600 }, { expiresIn: undefined });
    await expectRefused(forger.stack, expired);
    const res = await forger.stack.request(ME, {}, { token: expired });
    expect(res.body.errors?.[0]?.message).toBe('Access token expired');
  });

  it('refuses a token whose nbf is in the future', async () => {
    await expectRefused(forger.stack, forger.sign({}, { notBefore: 3600 }));
  });

  it('refuses a wrong issuer, a wrong audience and a missing audience', async () => {
    await expectRefused(forger.stack, forger.sign({}, { issuer: 'someone-else' }));
    await expectRefused(forger.stack, forger.sign({}, { audience: 'another-api' }));
    await expectRefused(forger.stack, forger.sign({}, { audience: undefined }));
  });

  it('refuses a token without sub, and one without exp', async () => {
    await expectRefused(forger.stack, forger.sign({}, { subject: undefined }));
    await expectRefused(forger.stack, forger.sign({}, { expiresIn: undefined }));
  });

  it('refuses a token of another type (typ other than at+jwt)', async () => {
    await expectRefused(forger.stack, forger.sign({}, { header: { alg: 'ES256', typ: 'JWT' } }));
  });

  it('refuses a refresh token presented as an access token', async () => {
    const { refreshToken } = await forger.stack.login('alice', 'alice-password');
    await expectRefused(forger.stack, refreshToken);
  });

  it('refuses a token signed by another key that claims the real key id (kid)', async () => {
    const { accessToken } = await forger.stack.login('alice', 'alice-password');
    const realKid = (jwt.decode(accessToken, { complete: true })?.header as jwt.JwtHeader).kid;
    expect(realKid).toEqual(expect.any(String));
    const otherKey = generateKeyPairSync('ec', { namedCurve: 'P-256' })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    const forged = forger.sign({}, { keyid: realKid }, otherKey);
    expect((jwt.decode(forged, { complete: true })?.header as jwt.JwtHeader).kid).toBe(realKid);
    await expectRefused(forger.stack, forged);
  });

  it('refuses garbage and an Authorization header of another scheme, and runs no mutation', async () => {
    await expectRefused(forger.stack, 'not-a-jwt');
    await expectRefused(
      forger.stack,
      forger.sign({ exp: now() - 3600 }, { expiresIn: undefined }),
      'mutation { createSupplier(input: { name: "x", surname: "y", address: "z" }) { id } }',
    );
    const res = await fetch(forger.stack.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Basic YWxpY2U6cHc=' },
      body: JSON.stringify({ query: ME }),
    });
    expect(res.status).toBe(401);
  });

  it('allows the default clock skew of 5 s on exp and nbf, and no more', async () => {
    await expectAccepted(
      forger.stack,
      forger.sign({ exp: now() - 2 }, { expiresIn: undefined }),
      forger.aliceId,
    );
    await expectAccepted(forger.stack, forger.sign({ nbf: now() + 2 }), forger.aliceId);
    await expectRefused(forger.stack, forger.sign({ exp: now() - 30 }, { expiresIn: undefined }));
    await expectRefused(forger.stack, forger.sign({ nbf: now() + 30 }));
  });

  describe('with JWT_CLOCK_TOLERANCE_SECONDS=60', () => {
    let lenient: Forger;
    beforeAll(async () => {
      lenient = await startForger({ JWT_CLOCK_TOLERANCE_SECONDS: '60' });
    });
    afterAll(() => lenient.stack.stop());

    it('accepts a token 30 s past exp or before nbf, and refuses one 120 s out', async () => {
      await expectAccepted(
        lenient.stack,
        lenient.sign({ exp: now() - 30 }, { expiresIn: undefined }),
        lenient.aliceId,
      );
      await expectAccepted(lenient.stack, lenient.sign({ nbf: now() + 30 }), lenient.aliceId);
      await expectRefused(
        lenient.stack,
        lenient.sign({ exp: now() - 120 }, { expiresIn: undefined }),
      );
      await expectRefused(lenient.stack, lenient.sign({ nbf: now() + 120 }));
    });
  });
});
