import { signEnvelope } from '@fedstack/kit';
import { startTestSubgraph, type TestSubgraph } from '@fedstack/kit/testing';
import { suppliersSubgraph, type SuppliersConfig } from '../index';

describe('subgraph answers over HTTP', () => {
  let sub: TestSubgraph<SuppliersConfig>;
  beforeAll(async () => {
    sub = await startTestSubgraph(suppliersSubgraph, {
      seed: { users: { admin: '1', alice: '2', bob: '3' } },
    });
  });
  afterAll(() => sub.stop());

  const post = (body: string, headers: Record<string, string>) =>
    fetch(sub.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });

  it('are no-store without an ETag, refused ones too', async () => {
    const body = JSON.stringify({ query: '{ suppliers(limit: 2) { name } }' });
    const signed = signEnvelope(sub.config.signingSecret, {
      audience: 'suppliers',
      identity: null,
      method: 'POST',
      body,
    });
    const answered = await post(body, signed);
    expect(answered.status).toBe(200);
    expect(
      ((await answered.json()) as { data: { suppliers: unknown[] } }).data.suppliers,
    ).toHaveLength(2);
    expect(answered.headers.get('cache-control')).toBe('no-store');
    expect(answered.headers.get('etag')).toBeNull();

    const refused = await post(body, {});
    expect(refused.status).toBe(401);
    expect(refused.headers.get('cache-control')).toBe('no-store');
    expect(refused.headers.get('etag')).toBeNull();
  });
});
