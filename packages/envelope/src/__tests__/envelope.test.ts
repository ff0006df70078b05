import { createSecretKey } from 'node:crypto';
import { envelopeKey, signEnvelope, verifyEnvelope } from '../envelope';

/**
 * The scheme is shared by gateways and subgraphs that may run different releases: these vectors
 * were written by the first implementation of `fedstack-envelope-v3` and must never change.
 */
const secret = 'envelope-test-secret';
const now = 1_700_000_000_000;

const anonymousInput = {
  audience: 'users',
  identity: null,
  method: 'POST',
  body: '{"query":"{ me { id } }"}',
  now,
};
const anonymousHeaders = {
  'x-gateway-audience': 'users',
  'x-gateway-timestamp': '1700000000000',
  'x-gateway-signature': 'UY2-CvIqn4YWRCvGY0icmiIHKounklus-fOvn76b6N8',
};

const userInput = {
  audience: 'orders',
  identity: { userId: '7', role: 'ADMIN', sessionId: 's-1', tokenVersion: 2 },
  method: 'post',
  body: Buffer.from('{"query":"{ orders { id } }"}'),
  clientAddress: '10.0.0.1',
  now,
};
const userHeaders = {
  'x-gateway-audience': 'orders',
  'x-gateway-timestamp': '1700000000000',
  'x-gateway-signature': 'oSfLRpNpkWIfS10ipAw4sQdDxab0kBaAuZuTlOjuFcI',
  'x-client-address': '10.0.0.1',
  'x-user-id': '7',
  'x-user-role': 'ADMIN',
  'x-user-session': 's-1',
  'x-user-token-version': '2',
};

describe('signEnvelope', () => {
  it('writes the same headers as the first implementation of the scheme, byte for byte', () => {
    expect(signEnvelope(secret, anonymousInput)).toEqual(anonymousHeaders);
    expect(signEnvelope(secret, userInput)).toEqual(userHeaders);
  });

  it('signs the same with the secret as a string, an imported key or a key made elsewhere', () => {
    expect(signEnvelope(envelopeKey(secret), userInput)).toEqual(userHeaders);
    expect(signEnvelope(createSecretKey(Buffer.from(secret)), userInput)).toEqual(userHeaders);
    // Another secret gives another signature: the key is not kept from an earlier call.
    expect(signEnvelope('another-secret', userInput)['x-gateway-signature']).not.toBe(
      userHeaders['x-gateway-signature'],
    );
    expect(signEnvelope(secret, userInput)).toEqual(userHeaders);
  });

  it('signs an identity object again as it is now when its values changed since the last call', () => {
    const identity = { userId: '7', role: 'USER', sessionId: 's-1', tokenVersion: 2 };
    const asUser = signEnvelope(secret, { ...userInput, identity });
    identity.role = 'ADMIN';
    const asAdmin = signEnvelope(secret, { ...userInput, identity });
    expect(asUser['x-gateway-signature']).not.toBe(asAdmin['x-gateway-signature']);
    expect(asAdmin).toEqual(userHeaders);
    identity.userId = '';
    expect(() => signEnvelope(secret, { ...userInput, identity })).toThrow(
      'cannot sign an identity with an empty or malformed user id',
    );
  });
});

describe('verifyEnvelope', () => {
  it('accepts the reference headers and refuses them for another audience or body', () => {
    const body = userInput.body;
    expect(
      verifyEnvelope(secret, {
        audience: 'orders',
        headers: userHeaders,
        method: 'POST',
        body,
        now,
      }),
    ).toEqual({ ok: true, identity: userInput.identity, clientAddress: '10.0.0.1' });
    expect(
      verifyEnvelope(envelopeKey(secret), {
        audience: 'users',
        headers: anonymousHeaders,
        method: 'POST',
        body: anonymousInput.body,
        now,
      }),
    ).toEqual({ ok: true, identity: null, clientAddress: undefined });
    expect(
      verifyEnvelope(secret, {
        audience: 'users',
        headers: userHeaders,
        method: 'POST',
        body,
        now,
      }),
    ).toEqual({ ok: false, reason: 'gateway signature is for another subgraph' });
    expect(
      verifyEnvelope(secret, {
        audience: 'orders',
        headers: userHeaders,
        method: 'POST',
        body: Buffer.from('{"query":"{ orders { id item } }"}'),
        now,
      }),
    ).toEqual({ ok: false, reason: 'bad gateway signature' });
  });
});
