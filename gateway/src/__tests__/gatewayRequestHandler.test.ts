import { Agent, request as httpRequest } from 'node:http';
import { gzipSync } from 'node:zlib';
import { postGraphQL, startGatewayFixture, type GatewayFixture } from './support/gatewayFixture';

const ALLOWED = 'https://app.example.com';
const QUERY = JSON.stringify({ query: '{ users { id } }' });
const USERS = { data: { users: [{ id: '1' }, { id: '2' }] } };

/** helmet 8's default headers, with the gateway's development CSP. */
const SECURITY_HEADERS = [
  'content-security-policy',
  'cross-origin-opener-policy',
  'cross-origin-resource-policy',
  'origin-agent-cluster',
  'referrer-policy',
  'x-content-type-options',
  'x-dns-prefetch-control',
  'x-download-options',
  'x-frame-options',
  'x-permitted-cross-domain-policies',
  'x-xss-protection',
];

/**
 * Sends one request (over a fresh connection unless `agent` is given) and returns the raw status,
 * headers and body, and whether it went over a connection used before.
 */
function send(
  url: string,
  options: {
    method?: string;
    path?: string;
    headers?: Record<string, string>;
    body?: Buffer;
    agent?: Agent;
  },
): Promise<{
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  reusedSocket: boolean;
}> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      `${url}${options.path ?? '/graphql'}`,
      { method: options.method ?? 'POST', headers: options.headers, agent: options.agent ?? false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: Buffer.concat(chunks).toString('utf8'),
            reusedSocket: req.reusedSocket,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

describe('gateway HTTP path (development, CORS for listed origins)', () => {
  let f: GatewayFixture;

  beforeAll(async () => {
    f = await startGatewayFixture({ CORS_ORIGINS: `${ALLOWED},http://localhost:3000` });
  });

  afterAll(async () => {
    await f?.close();
  });

  it('answers without an ETag, with one Content-Length that is the byte length of the body', async () => {
    const res = await send(f.url, {
      headers: { 'content-type': 'application/json' },
      body: Buffer.from(JSON.stringify({ query: '{ users { id username } }' })),
    });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toMatchObject({ data: { users: [{ username: 'alice' }, {}] } });
    expect(res.headers.etag).toBeUndefined();
    expect(res.headers['content-length']).toBe(String(Buffer.byteLength(res.text)));
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it("sends helmet's headers on /graphql, /health, /health/ready and a 404 alike", async () => {
    const answers = [
      await send(f.url, {
        headers: { 'content-type': 'application/json' },
        body: Buffer.from(QUERY),
      }),
      await send(f.url, { method: 'GET', path: '/health' }),
      await send(f.url, { method: 'GET', path: '/health/ready' }),
      await send(f.url, { method: 'GET', path: '/nowhere' }),
    ];
    expect(answers.map((res) => res.status)).toEqual([200, 200, 200, 404]);
    for (const res of answers) {
      for (const name of SECURITY_HEADERS) expect(res.headers[name]).toBeDefined();
      expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(res.headers['x-xss-protection']).toBe('0');
      // Development: no HSTS on plain http.
      expect(res.headers['strict-transport-security']).toBeUndefined();
      expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    }
    expect(JSON.parse(answers[3]!.text)).toEqual({
      errors: [{ message: 'Not found', extensions: { code: 'NOT_FOUND' } }],
    });
    expect(answers[2]!.headers['cache-control']).toBe('no-store');
  });

  it('answers HEAD /health with the headers and no body', async () => {
    const res = await send(f.url, { method: 'HEAD', path: '/health' });
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
    expect(Number(res.headers['content-length'])).toBeGreaterThan(0);
  });

  it('answers a preflight from a listed origin as the cors package did, and not another', async () => {
    const preflight = (origin: string) =>
      send(f.url, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type,authorization',
        },
      });
    const allowed = await preflight(ALLOWED);
    expect(allowed.status).toBe(204);
    expect(allowed.text).toBe('');
    expect(allowed.headers).toMatchObject({
      'access-control-allow-origin': ALLOWED,
      'access-control-allow-methods': 'GET,HEAD,PUT,PATCH,POST,DELETE',
      'access-control-allow-headers': 'content-type,authorization',
      'access-control-max-age': '600',
      'access-control-expose-headers': 'x-request-id',
      vary: 'Origin, Access-Control-Request-Headers',
    });
    const denied = await preflight('https://evil.example');
    expect(denied.status).toBe(204);
    expect(denied.headers['access-control-allow-origin']).toBeUndefined();
    expect(denied.headers.vary).toBe('Origin, Access-Control-Request-Headers');
  });

  it('echoes a listed origin on a POST, varies by Origin, and exposes x-request-id', async () => {
    const allowed = await postGraphQL(f.url, JSON.parse(QUERY), { origin: ALLOWED });
    expect(allowed.body).toEqual(USERS);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(allowed.headers.get('access-control-expose-headers')).toBe('x-request-id');
    expect(allowed.headers.get('vary')).toBe('Origin');
    const other = await postGraphQL(f.url, JSON.parse(QUERY), { origin: 'https://evil.example' });
    expect(other.body).toEqual(USERS);
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    expect(other.headers.get('vary')).toBe('Origin');
  });

  it('reads a gzip-compressed body as express.json did, and refuses an unknown encoding with 415', async () => {
    const plain = await send(f.url, {
      headers: { 'content-type': 'application/json' },
      body: Buffer.from(QUERY),
    });
    expect(JSON.parse(plain.text)).toEqual(USERS);
    const gzipped = await send(f.url, {
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: gzipSync(QUERY),
    });
    expect(gzipped.status).toBe(200);
    expect(JSON.parse(gzipped.text)).toEqual(USERS);
    const unknown = await send(f.url, {
      headers: { 'content-type': 'application/json', 'content-encoding': 'compress' },
      body: Buffer.from(QUERY),
    });
    expect(unknown.status).toBe(415);
    expect(JSON.parse(unknown.text)).toMatchObject({
      errors: [{ extensions: { code: 'BAD_REQUEST' } }],
    });
  });

  it('counts the body limit after decoding: a small gzip that inflates past 1 MiB is a 413', async () => {
    const before = f.users.received.length;
    const padded = JSON.stringify({
      query: '{ users { id } }',
      variables: { padding: 'x'.repeat(1024 * 1024) },
    });
    const bomb = gzipSync(padded);
    expect(bomb.length).toBeLessThan(16 * 1024);
    const res = await send(f.url, {
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: bomb,
    });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.text)).toMatchObject({
      errors: [{ extensions: { code: 'PAYLOAD_TOO_LARGE' } }],
    });
    expect(f.users.received.length).toBe(before);
  });

  it('refuses a charset other than UTF-8 with 415, and names where malformed JSON broke', async () => {
    const latin1 = await send(f.url, {
      headers: { 'content-type': 'application/json; charset=iso-8859-1' },
      body: Buffer.from(QUERY),
    });
    expect(latin1.status).toBe(415);
    const utf8 = await send(f.url, {
      headers: { 'content-type': 'application/json; charset=UTF-8' },
      body: Buffer.from(QUERY),
    });
    expect(JSON.parse(utf8.text)).toEqual(USERS);

    const malformed = await send(f.url, {
      headers: { 'content-type': 'application/json' },
      body: Buffer.from('{foo'),
    });
    expect(malformed.status).toBe(400);
    const error = (JSON.parse(malformed.text) as { errors: [{ extensions: { detail: string } }] })
      .errors[0];
    expect(error).toMatchObject({
      message: 'Request body is not valid JSON',
      extensions: { code: 'BAD_REQUEST' },
    });
    expect(error.extensions.detail).toMatch(/position 1/);
  });

  it('keeps the connection usable after refusing a body over the limit', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const json = { 'content-type': 'application/json' };
      const padded = JSON.stringify({
        query: '{ users { id } }',
        variables: { padding: 'x'.repeat(1024 * 1024) },
      });
      const tooBig = await send(f.url, { headers: json, body: Buffer.from(padded), agent });
      expect(tooBig.status).toBe(413);
      // The refused body was drained, so the next request on the same connection is read whole.
      const next = await send(f.url, { headers: json, body: Buffer.from(QUERY), agent });
      expect(next.reusedSocket).toBe(true);
      expect(JSON.parse(next.text)).toEqual(USERS);
    } finally {
      agent.destroy();
    }
  });
});
