import { randomBytes } from 'node:crypto';
import type { Fetcher, FetcherRequestInit } from '@apollo/utils.fetcher';
import { verifyEnvelope } from '@fedstack/kit/envelope';
import { createSigningFetcher } from '../signingFetcher';

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

async function signedRequest(init: FetcherRequestInit): Promise<FetcherRequestInit> {
  const { fetcher, sent } = recorder();
  await createSigningFetcher(fetcher, secret)('http://subgraph.test/graphql', init);
  const request = sent[0];
  if (!request) throw new Error('the signing fetcher sent nothing');
  return request;
}

const body = JSON.stringify({ query: '{ me { id } }', variables: {} });

describe('createSigningFetcher', () => {
  it('signs the identity over the exact body, which verifyEnvelope accepts', async () => {
    const sent = await signedRequest({
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-user-id': '7', 'x-user-role': 'ADMIN' },
      body,
    });
    expect(sent.body).toBe(body);
    expect(verifyEnvelope(secret, { headers: sent.headers ?? {}, method: 'POST', body })).toEqual({
      ok: true,
      identity: { userId: '7', role: 'ADMIN' },
    });
  });

  it('produces a signature that fails for a changed body, identity or secret', async () => {
    const sent = await signedRequest({
      method: 'POST',
      headers: { 'x-user-id': '7', 'x-user-role': 'USER' },
      body,
    });
    const headers = sent.headers ?? {};
    const changedBody = body.replace('me', 'users');
    expect(verifyEnvelope(secret, { headers, method: 'POST', body: changedBody })).toMatchObject({
      ok: false,
    });
    expect(
      verifyEnvelope(secret, {
        headers: { ...headers, 'x-user-role': 'ADMIN' },
        method: 'POST',
        body,
      }),
    ).toMatchObject({ ok: false });
    expect(
      verifyEnvelope(randomBytes(32).toString('base64url'), { headers, method: 'POST', body }),
    ).toMatchObject({ ok: false });
  });

  it('signs the client address, which verifyEnvelope returns and a change invalidates', async () => {
    const sent = await signedRequest({
      method: 'POST',
      headers: { 'x-client-address': '203.0.113.9' },
      body,
    });
    const headers = sent.headers ?? {};
    expect(verifyEnvelope(secret, { headers, method: 'POST', body })).toEqual({
      ok: true,
      identity: null,
      clientAddress: '203.0.113.9',
    });
    expect(
      verifyEnvelope(secret, {
        headers: { ...headers, 'x-client-address': '198.51.100.1' },
        method: 'POST',
        body,
      }),
    ).toMatchObject({ ok: false });
  });

  it('signs a Buffer body over its bytes', async () => {
    const bytes = Buffer.from(body);
    const sent = await signedRequest({ method: 'POST', headers: {}, body: bytes });
    expect(verifyEnvelope(secret, { headers: sent.headers ?? {}, method: 'POST', body })).toEqual({
      ok: true,
      identity: null,
    });
  });

  it('signs as anonymous and sends no identity without both identity headers', async () => {
    const sent = await signedRequest({ method: 'POST', headers: { 'X-User-Id': '7' }, body });
    expect(sent.headers?.['x-user-id']).toBeUndefined();
    expect(sent.headers?.['X-User-Id']).toBeUndefined();
    expect(verifyEnvelope(secret, { headers: sent.headers ?? {}, method: 'POST', body })).toEqual({
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
});
