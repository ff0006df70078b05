import { randomBytes } from 'node:crypto';
import type { Fetcher, FetcherRequestInit } from '@apollo/utils.fetcher';
import { verifyEnvelope } from '../envelope';
import { createSigningFetcher, type SignedCall } from '../signingFetcher';

const secret = randomBytes(32).toString('base64url');

/** An inner fetcher that records what it was asked to send instead of sending it. */
function recorder(): { fetcher: Fetcher; sent: FetcherRequestInit[] } {
  const sent: FetcherRequestInit[] = [];
  const fetcher: Fetcher = async (_url, init = {}) => {
    sent.push(init);
    return new Response('{}', { headers: { 'content-type': 'application/json' } });
  };
  return { fetcher, sent };
}

/** Sends `init` through a signing fetcher, for the `users` subgraph and anonymous unless `call` says otherwise. */
async function signedRequest(
  init: FetcherRequestInit,
  call: Partial<SignedCall> = {},
): Promise<FetcherRequestInit> {
  const { fetcher, sent } = recorder();
  await createSigningFetcher(fetcher, secret)(
    { audience: 'users', ...call },
    'http://subgraph.test/graphql',
    init,
  );
  const request = sent[0];
  if (!request) throw new Error('the signing fetcher sent nothing');
  return request;
}

const body = JSON.stringify({ query: '{ me { id } }', variables: {} });

/** What the users subgraph makes of `headers` on a POST of `signedBody` (default: `body`). */
function verifyAtUsers(headers: Record<string, string> | undefined, signedBody: string = body) {
  return verifyEnvelope(secret, {
    audience: 'users',
    headers: headers ?? {},
    method: 'POST',
    body: signedBody,
  });
}

describe('createSigningFetcher', () => {
  it('signs the identity over the exact body, which verifyEnvelope accepts', async () => {
    const sent = await signedRequest(
      { method: 'POST', headers: { 'content-type': 'application/json' }, body },
      { identity: { userId: '7', role: 'ADMIN' } },
    );
    expect(sent.body).toBe(body);
    expect(verifyAtUsers(sent.headers)).toEqual({
      ok: true,
      identity: { userId: '7', role: 'ADMIN' },
    });
  });

  it('produces a signature that fails for a changed body, identity or secret', async () => {
    const sent = await signedRequest(
      { method: 'POST', headers: {}, body },
      { identity: { userId: '7', role: 'USER' } },
    );
    const headers = sent.headers ?? {};
    const changedBody = body.replace('me', 'users');
    expect(
      verifyEnvelope(secret, { audience: 'users', headers, method: 'POST', body: changedBody }),
    ).toMatchObject({
      ok: false,
    });
    expect(
      verifyEnvelope(secret, {
        audience: 'users',
        headers: { ...headers, 'x-user-role': 'ADMIN' },
        method: 'POST',
        body,
      }),
    ).toMatchObject({ ok: false });
    expect(
      verifyEnvelope(randomBytes(32).toString('base64url'), {
        audience: 'users',
        headers,
        method: 'POST',
        body,
      }),
    ).toMatchObject({ ok: false });
  });

  it('signs the client address, which verifyEnvelope returns and a change invalidates', async () => {
    const sent = await signedRequest(
      { method: 'POST', headers: {}, body },
      { clientAddress: '203.0.113.9' },
    );
    const headers = sent.headers ?? {};
    expect(verifyAtUsers(headers)).toEqual({
      ok: true,
      identity: null,
      clientAddress: '203.0.113.9',
    });
    expect(
      verifyEnvelope(secret, {
        audience: 'users',
        headers: { ...headers, 'x-client-address': '198.51.100.1' },
        method: 'POST',
        body,
      }),
    ).toMatchObject({ ok: false });
  });

  it('signs a Buffer body over its bytes', async () => {
    const bytes = Buffer.from(body);
    const sent = await signedRequest({ method: 'POST', headers: {}, body: bytes });
    expect(verifyAtUsers(sent.headers)).toEqual({
      ok: true,
      identity: null,
    });
  });

  it('never takes identity from headers: x-user-* on the request is dropped, signed anonymous', async () => {
    const sent = await signedRequest({
      method: 'POST',
      headers: { 'X-User-Id': '7', 'x-user-role': 'ADMIN', 'x-client-address': '198.51.100.7' },
      body,
    });
    expect(sent.headers?.['x-user-role']).toBeUndefined();
    expect(sent.headers?.['x-client-address']).toBeUndefined();
    expect(sent.headers?.['x-user-id']).toBeUndefined();
    expect(sent.headers?.['X-User-Id']).toBeUndefined();
    expect(verifyAtUsers(sent.headers)).toEqual({
      ok: true,
      identity: null,
    });
  });

  it('drops other x-user-* and stale x-gateway-* headers but keeps the rest', async () => {
    const sent = await signedRequest({
      method: 'POST',
      headers: {
        'x-user-email': 'admin@example.com',
        'x-gateway-signature': 'forged',
        'x-request-id': 'req-1',
        'content-type': 'application/json',
      },
      body,
    });
    expect(sent.headers?.['x-user-email']).toBeUndefined();
    expect(sent.headers?.['x-gateway-signature']).not.toBe('forged');
    expect(sent.headers?.['x-request-id']).toBe('req-1');
    expect(sent.headers?.['content-type']).toBe('application/json');
  });

  it('binds the signature to the subgraph it is for, so it cannot be replayed at another', async () => {
    const sent = await signedRequest(
      { method: 'POST', headers: { 'x-gateway-audience': 'orders' }, body },
      { identity: { userId: '7', role: 'ADMIN' } },
    );
    const headers = sent.headers ?? {};
    // The audience is the call's, whatever header the request carried.
    expect(headers['x-gateway-audience']).toBe('users');
    expect(verifyAtUsers(headers)).toMatchObject({
      ok: true,
    });
    // Replayed as is at the orders subgraph, and with the audience header rewritten to match.
    expect(verifyEnvelope(secret, { audience: 'orders', headers, method: 'POST', body })).toEqual({
      ok: false,
      reason: 'gateway signature is for another subgraph',
    });
    expect(
      verifyEnvelope(secret, {
        audience: 'orders',
        headers: { ...headers, 'x-gateway-audience': 'orders' },
        method: 'POST',
        body,
      }),
    ).toEqual({ ok: false, reason: 'bad gateway signature' });
  });

  it('refuses a signature once it is older than the maximum age', async () => {
    const sent = await signedRequest({ method: 'POST', headers: {}, body });
    const headers = sent.headers ?? {};
    const signedAt = Number(headers['x-gateway-timestamp']);
    const check = (now: number) =>
      verifyEnvelope(secret, {
        audience: 'users',
        headers,
        method: 'POST',
        body,
        maxAgeMs: 30_000,
        now,
      });
    expect(check(signedAt + 29_000)).toMatchObject({ ok: true });
    expect(check(signedAt + 31_000)).toEqual({ ok: false, reason: 'gateway signature expired' });
  });

  it('sends nothing when the request names no subgraph', async () => {
    const { fetcher, sent } = recorder();
    await expect(
      createSigningFetcher(fetcher, secret)({ audience: '' }, 'http://subgraph.test/graphql', {
        method: 'POST',
        headers: {},
        body,
      }),
    ).rejects.toThrow(/the subgraph it is for/);
    expect(sent).toEqual([]);
  });
});
