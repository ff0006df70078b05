import { startGatewayFixture, type GatewayFixture } from './support/gatewayFixture';

/** The URLs of the scripts and style sheets a page loads. */
function assetUrls(html: string): string[] {
  return [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1] ?? '');
}

describe('offline explorer (development)', () => {
  let f: GatewayFixture;
  let page: string;

  beforeAll(async () => {
    f = await startGatewayFixture();
    page = await (await fetch(`${f.url}/explorer`)).text();
  });

  afterAll(async () => {
    await f?.close();
  });

  it('serves GraphiQL at /explorer as HTML that is revalidated, with a CSP naming no other host', async () => {
    const response = await fetch(`${f.url}/explorer`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).not.toMatch(/https?:|unsafe-eval/);
    expect(csp).not.toMatch(/script-src [^;]*unsafe-inline/);
    const html = await response.text();
    expect(html).toContain('<div id="graphiql">');
    // Nothing in the page comes from anywhere but the gateway.
    expect(html).not.toMatch(/https?:\/\//);
  });

  it('answers a matching If-None-Match with 304', async () => {
    const first = await fetch(`${f.url}/explorer/`);
    const etag = first.headers.get('etag') ?? '';
    expect(etag).toMatch(/^"[\w-]+"$/);
    const again = await fetch(`${f.url}/explorer`, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
  });

  it('serves React, ReactDOM and GraphiQL from the installed packages, cached for good', async () => {
    const urls = assetUrls(page);
    expect(urls).toEqual(
      expect.arrayContaining([
        '/explorer/assets/react-18.3.1-react.production.min.js',
        '/explorer/assets/react-dom-18.3.1-react-dom.production.min.js',
        '/explorer/assets/graphiql-3.9.0-graphiql.min.js',
        '/explorer/assets/graphiql-3.9.0-graphiql.min.css',
      ]),
    );
    for (const url of urls) {
      const response = await fetch(`${f.url}${url}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe(
        url.endsWith('.css') ? 'text/css; charset=utf-8' : 'text/javascript; charset=utf-8',
      );
      expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      const body = await response.text();
      expect(Number(response.headers.get('content-length'))).toBe(Buffer.byteLength(body));
    }
    const start = urls.find((url) => url.includes('/start-')) ?? '';
    const script = await (await fetch(`${f.url}${start}`)).text();
    expect(script).toContain('login(username: \\"alice\\", password: \\"alice-password\\")');
    expect(script).toContain("defaultEditorToolsVisibility: 'headers'");
    expect(script).toContain('isHeadersEditorEnabled: true');
  });

  it('answers HEAD with the headers and no body', async () => {
    const response = await fetch(`${f.url}/explorer`, { method: 'HEAD' });
    expect(response.status).toBe(200);
    expect(Number(response.headers.get('content-length'))).toBeGreaterThan(100);
    expect(await response.text()).toBe('');
  });

  it('redirects GET / to the explorer', async () => {
    const response = await fetch(`${f.url}/`, { redirect: 'manual' });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/explorer');
  });

  it('answers an unknown asset, and a POST to the explorer, with the JSON 404', async () => {
    for (const [path, method] of [
      ['/explorer/assets/nope.js', 'GET'],
      ['/explorer/assets/../../package.json', 'GET'],
      ['/explorer', 'POST'],
    ]) {
      const response = await fetch(`${f.url}${path}`, { method });
      expect(response.status).toBe(404);
      expect(await response.json()).toMatchObject({
        errors: [{ extensions: { code: 'NOT_FOUND' } }],
      });
    }
  });

  it('keeps Apollo Sandbox at GET /graphql from a browser', async () => {
    const response = await fetch(`${f.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('embeddable-sandbox.cdn.apollographql.com');
  });
});

describe('offline explorer (production)', () => {
  let f: GatewayFixture;

  beforeAll(async () => {
    f = await startGatewayFixture({ NODE_ENV: 'production' });
  });

  afterAll(async () => {
    await f?.close();
  });

  it('is not served: /explorer, its files and / answer 404', async () => {
    for (const path of ['/explorer', '/explorer/assets/graphiql-3.9.0-graphiql.min.js', '/']) {
      const response = await fetch(`${f.url}${path}`, { redirect: 'manual' });
      expect(response.status).toBe(404);
      expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    }
  });
});
