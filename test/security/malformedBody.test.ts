import { startStack, type Stack } from '../helpers/stack';

/**
 * A body that is not JSON is answered with a JSON 400 by the gateway and by every subgraph, in
 * development too, where Express's own error page would show a stack trace with absolute paths.
 * Each refusal is set against the same request with a well-formed body.
 */

const SUBGRAPH_NAMES = ['users', 'orders', 'suppliers'] as const;
const MALFORMED = '{"query": "{ suppliers { id } }",';
const LEAK = /<html|<pre|stack|\bat [\w.<>]+ \(|\/node_modules\/|\/work\/|\.ts:\d+/i;

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ seed: false, env: { NODE_ENV: 'development' } });
});
afterAll(async () => {
  await stack?.stop();
});

/** POSTs `body` to a subgraph, signed as the gateway signs (so only the body can be wrong). */
async function postToSubgraph(name: (typeof SUBGRAPH_NAMES)[number], body: string) {
  const res = await stack.postToSubgraph(name, body);
  return {
    status: res.status,
    type: res.headers.get('content-type') ?? '',
    text: await res.text(),
  };
}

describe('11. malformed request bodies', () => {
  it.each(SUBGRAPH_NAMES)('the %s subgraph answers a JSON 400, no page or stack', async (name) => {
    const wellFormed = await postToSubgraph(name, JSON.stringify({ query: '{ __typename }' }));
    expect(wellFormed.status).toBe(200);
    expect(JSON.parse(wellFormed.text)).toEqual({ data: { __typename: 'Query' } });

    const res = await postToSubgraph(name, MALFORMED);
    expect(res.status).toBe(400);
    expect(res.type).toMatch(/^application\/json/);
    expect(JSON.parse(res.text)).toEqual({
      errors: [{ message: 'Request body is not valid JSON', extensions: { code: 'BAD_REQUEST' } }],
    });
    expect(res.text).not.toMatch(LEAK);
  });

  it('a subgraph answers an unsigned malformed body the same way, before checking the signature', async () => {
    const res = await fetch(stack.subgraphs.orders.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: MALFORMED,
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ errors: [{ extensions: { code: 'BAD_REQUEST' } }] });
  });

  it('a subgraph answers an unknown path with a JSON 404', async () => {
    const res = await fetch(stack.subgraphs.users.url.replace('/graphql', '/nowhere'));
    expect(res.status).toBe(404);
    const text = await res.text();
    expect(JSON.parse(text)).toMatchObject({ errors: [{ extensions: { code: 'NOT_FOUND' } }] });
    expect(text).not.toMatch(LEAK);
  });

  it('the gateway answers a JSON 400 too', async () => {
    const post = (body: string) =>
      fetch(stack.gatewayUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
    const wellFormed = await post(JSON.stringify({ query: '{ suppliers { id } }' }));
    expect(wellFormed.status).toBe(200);

    const res = await post(MALFORMED);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const text = await res.text();
    expect(JSON.parse(text)).toMatchObject({
      errors: [{ message: 'Request body is not valid JSON', extensions: { code: 'BAD_REQUEST' } }],
    });
    expect(text).not.toMatch(LEAK);
  });
});
