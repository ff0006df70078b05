import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { ensureDevSecrets, readSecretFile, type Env } from '@fedstack/kit';
import { codesOf, productionSecrets, startStack, type Stack } from '../helpers/stack';

/**
 * Item 5 of the security issue: with NODE_ENV=production, introspection, the landing page and
 * field suggestions are off on the gateway and on every subgraph, internal errors are masked on
 * both, the gateway sends security headers and CORS only for configured origins, and the
 * services refuse to start with development secrets or seed passwords.
 *
 * Each production behaviour is checked against the same request in development, so that a
 * passing test means production changed something.
 */

const ALLOWED_ORIGIN = 'https://app.example.com';
const SUBGRAPH_NAMES = ['users', 'orders', 'suppliers'] as const;

let production: Stack;
let development: Stack;
let secrets: Env;

beforeAll(async () => {
  secrets = productionSecrets();
  [production, development] = await Promise.all([
    // No seed: production refuses the development accounts' well-known passwords.
    startStack({
      seed: false,
      env: { NODE_ENV: 'production', CORS_ORIGINS: ALLOWED_ORIGIN, ...secrets },
    }),
    startStack({ env: { NODE_ENV: 'development' } }),
  ]);
});
afterAll(async () => {
  await production?.stop();
  await development?.stop();
});

/** POSTs `query` straight to a subgraph, signed as the gateway would sign it (anonymous). */
async function signedSubgraphRequest(
  stack: Stack,
  name: (typeof SUBGRAPH_NAMES)[number],
  query: string,
) {
  const res = await stack.postToSubgraph(name, JSON.stringify({ query }));
  return {
    status: res.status,
    text: await res.clone().text(),
    body: (await res.json()) as {
      data?: unknown;
      errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
    },
  };
}

const INTROSPECTION = '{ __schema { queryType { name } types { name } } }';

describe('5. production mode', () => {
  it('refuses introspection at the gateway', async () => {
    const dev = await development.request(INTROSPECTION);
    expect(dev.body.data).toBeTruthy();
    for (const query of [INTROSPECTION, '{ __type(name: "User") { fields { name } } }']) {
      const res = await production.request(query);
      expect(res.status).toBe(400);
      expect(codesOf(res.body)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
      expect(res.body.errors?.[0]?.message).toMatch(/introspection is not allowed/i);
    }
  });

  it.each(SUBGRAPH_NAMES)('refuses introspection at the %s subgraph, even signed', async (name) => {
    expect((await signedSubgraphRequest(development, name, INTROSPECTION)).status).toBe(200);
    const res = await signedSubgraphRequest(production, name, INTROSPECTION);
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0]?.message).toMatch(/introspection is not allowed/i);
    expect(res.text).not.toMatch(/"types"|queryType/);
  });

  it('serves no landing page', async () => {
    const browse = (stack: Stack) =>
      fetch(stack.gatewayUrl, { headers: { accept: 'text/html' } }).then(async (res) => ({
        type: res.headers.get('content-type') ?? '',
        text: await res.text(),
      }));
    expect((await browse(development)).type).toMatch(/text\/html/);
    const page = await browse(production);
    expect(page.type).not.toMatch(/text\/html/);
    expect(page.text).not.toMatch(/<html|sandbox|embeddable/i);
  });

  it('gives no field suggestions, at the gateway or at a subgraph', async () => {
    const typo = '{ suppliers { nme } }';
    expect((await development.request(typo)).body.errors?.[0]?.message).toMatch(/Did you mean/);
    const atGateway = await production.request(typo);
    expect(codesOf(atGateway.body)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(atGateway.body.errors?.[0]?.message).not.toMatch(/Did you mean/);
    const argument = await production.request('{ supplier(idd: "1") { id } }');
    expect(codesOf(argument.body)).toContain('GRAPHQL_VALIDATION_FAILED');
    expect(JSON.stringify(argument.body)).not.toMatch(/Did you mean/);

    const devSubgraph = await signedSubgraphRequest(development, 'suppliers', typo);
    expect(devSubgraph.text).toMatch(/Did you mean/);
    const atSubgraph = await signedSubgraphRequest(production, 'suppliers', typo);
    expect(atSubgraph.status).toBe(400);
    expect(atSubgraph.text).not.toMatch(/Did you mean/);
  });

  it('sends security headers, with a CSP that allows nothing', async () => {
    for (const res of [
      await fetch(production.gatewayUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ suppliers { id } }' }),
      }),
      await fetch(production.gatewayUrl.replace('/graphql', '/health')),
      await fetch(production.gatewayUrl.replace('/graphql', '/nowhere')),
    ]) {
      const headers = res.headers;
      expect(headers.get('x-content-type-options')).toBe('nosniff');
      expect(headers.get('content-security-policy')).toMatch(/default-src 'none'/);
      expect(headers.get('content-security-policy')).toMatch(/frame-ancestors 'none'/);
      expect(headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
      expect(headers.get('x-frame-options')).toBe('SAMEORIGIN');
      expect(headers.get('referrer-policy')).toBe('no-referrer');
      expect(headers.get('cross-origin-opener-policy')).toBe('same-origin');
      expect(headers.get('x-powered-by')).toBeNull();
    }
  });

  it('answers CORS only for the configured origins, never with *', async () => {
    const preflight = (origin: string) =>
      fetch(production.gatewayUrl, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type,authorization',
        },
      });
    const allowed = await preflight(ALLOWED_ORIGIN);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(ALLOWED_ORIGIN);
    const denied = await preflight('https://evil.example.com');
    expect(denied.headers.get('access-control-allow-origin')).toBeNull();
    const post = await fetch(production.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'https://evil.example.com' },
      body: JSON.stringify({ query: '{ suppliers { id } }' }),
    });
    expect(post.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('serves no /metrics on the public ports unless METRICS_PORT is set', async () => {
    const metricsOf = (url: string) =>
      fetch(url.replace('/graphql', '/metrics')).then(async (res) => ({
        status: res.status,
        text: await res.text(),
      }));
    const dev = await metricsOf(development.gatewayUrl);
    expect(dev.status).toBe(200);
    expect(dev.text).toMatch(/graphql_requests_total/);
    expect((await metricsOf(development.subgraphs.users.url)).status).toBe(200);

    const atGateway = await metricsOf(production.gatewayUrl);
    expect(atGateway.status).toBe(404);
    expect(atGateway.text).not.toMatch(/process_cpu|graphql_requests_total/);
    for (const name of SUBGRAPH_NAMES) {
      const atSubgraph = await metricsOf(production.subgraphs[name].url);
      expect(atSubgraph.status).toBe(404);
      expect(atSubgraph.text).not.toMatch(/process_cpu|graphql_requests_total/);
    }
  });

  it('masks internal errors at a subgraph and through the gateway: no SQL, driver text or stack', async () => {
    const leak = /SELECT|sqlite|sequelize|ConnectionManager|stacktrace|\.ts:\d+|at [A-Za-z.]+ \(/i;
    const query = '{ suppliers { id name } }';
    // A closed database makes every query of the suppliers subgraph fail inside the driver.
    await Promise.all([
      development.subgraphs.suppliers.db.close(),
      production.subgraphs.suppliers.db.close(),
    ]);
    const dev = await development.request(query);
    expect(JSON.stringify(dev.body)).toMatch(/ConnectionManager/);

    const viaGateway = await production.request(query);
    expect(viaGateway.body.data ?? null).toBeNull();
    expect(viaGateway.body.errors).toHaveLength(1);
    expect(viaGateway.body.errors?.[0]).toMatchObject({
      message: 'Internal server error',
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
    expect(JSON.stringify(viaGateway.body)).not.toMatch(leak);

    const atSubgraph = await signedSubgraphRequest(production, 'suppliers', query);
    expect(atSubgraph.body.errors?.[0]).toMatchObject({
      message: 'Internal server error',
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
    expect(atSubgraph.text).not.toMatch(leak);

    // The process is still up, and the other subgraphs still answer.
    expect((await fetch(production.gatewayUrl.replace('/graphql', '/health'))).status).toBe(200);
    expect((await production.request('{ me { id } }')).body.errors?.[0]?.extensions?.code).toBe(
      'UNAUTHENTICATED',
    );
  });
});

describe('5. production start-up', () => {
  const start = (env: Env, seed = false) =>
    startStack({ seed, env: { NODE_ENV: 'production', ...productionSecrets(), ...env } });

  it.each([
    [
      'GATEWAY_SIGNING_SECRET',
      /GATEWAY_SIGNING_SECRET or GATEWAY_SIGNING_SECRET_FILE is required when NODE_ENV=production/,
    ],
    [
      'JWT_PRIVATE_KEY',
      /JWT_PRIVATE_KEY or JWT_PRIVATE_KEY_FILE is required when NODE_ENV=production/,
    ],
    [
      'JWT_PUBLIC_KEY',
      /JWT_PUBLIC_KEY or JWT_PUBLIC_KEY_FILE is required when NODE_ENV=production/,
    ],
  ])('refuses to start without %s, naming it', async (variable, message) => {
    await expect(start({ [variable]: undefined })).rejects.toThrow(message);
  });

  it('names every missing secret at once, and points to npm run secrets', async () => {
    const refusal = start({ GATEWAY_SIGNING_SECRET: undefined, JWT_PRIVATE_KEY: undefined });
    await expect(refusal).rejects.toThrow(
      'GATEWAY_SIGNING_SECRET or GATEWAY_SIGNING_SECRET_FILE is required when NODE_ENV=production, and so is JWT_PRIVATE_KEY or JWT_PRIVATE_KEY_FILE; npm run secrets creates a set and prints the variables to set',
    );
  });

  it('starts with exactly the variables npm run secrets prints', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fedstack-secrets-'));
    try {
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ['--import', 'tsx', 'scripts/secrets.ts', join(dir, 'set')],
        { cwd: resolve(__dirname, '..', '..') },
      );
      const printed: Env = {};
      for (const [, name, value] of stdout.matchAll(/([A-Z_]+_FILE)=(\S+)/g)) {
        printed[name!] = value!;
      }
      expect(Object.keys(printed).sort()).toEqual([
        'GATEWAY_SIGNING_SECRET_FILE',
        'JWT_PRIVATE_KEY_FILE',
        'JWT_PUBLIC_KEY_FILE',
      ]);
      const stack = await startStack({ seed: false, env: { NODE_ENV: 'production', ...printed } });
      try {
        const res = await stack.request('{ suppliers { id } }');
        expect(res.status).toBe(200);
        expect(res.body).toEqual({ data: { suppliers: [] } });
      } finally {
        await stack.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses generated development secrets from any data folder, by their marker', async () => {
    // Another folder than the stack's own DATA_DIR: the secrets are recognised by what they hold.
    const dataDir = mkdtempSync(join(tmpdir(), 'fedstack-dev-secrets-'));
    try {
      const files = ensureDevSecrets(dataDir);
      await expect(
        start({ GATEWAY_SIGNING_SECRET: readSecretFile(files.signingSecret) }),
      ).rejects.toThrow(/^GATEWAY_SIGNING_SECRET is the generated development secret/);
      await expect(
        start({
          GATEWAY_SIGNING_SECRET: undefined,
          GATEWAY_SIGNING_SECRET_FILE: files.signingSecret,
        }),
      ).rejects.toThrow(/^GATEWAY_SIGNING_SECRET is the generated development secret/);
      await expect(start({ JWT_PRIVATE_KEY: readSecretFile(files.jwtPrivateKey) })).rejects.toThrow(
        /^JWT_PRIVATE_KEY is the generated development secret/,
      );
      await expect(start({ JWT_PUBLIC_KEY: readSecretFile(files.jwtPublicKey) })).rejects.toThrow(
        /^JWT_PUBLIC_KEY is the generated development secret/,
      );
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('refuses the seed accounts while they keep their default passwords', async () => {
    await expect(start({}, true)).rejects.toThrow(
      /seed account "admin" still has its default password/,
    );
  });

  it('refuses CORS_ORIGINS=*', async () => {
    await expect(start({ CORS_ORIGINS: '*' })).rejects.toThrow(
      /CORS_ORIGINS must not be \* when NODE_ENV=production/,
    );
  });
});
