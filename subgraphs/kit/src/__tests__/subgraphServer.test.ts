import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { parse } from 'graphql';
import { readSubgraphBaseConfig, type SubgraphBaseConfig } from '../config';
import { openDatabase, type Database } from '../database';
import { signEnvelope } from '@fedstack/envelope/envelope';
import { createLogger } from '@fedstack/runtime/logger';
import { createSubgraphServer, type RequestScope, type SubgraphServer } from '../subgraphServer';

/**
 * The subgraph server's HTTP surface: `POST /graphql` on its `node:http` path, everything else
 * through Express, with the same request id, cache rule, refusals and access log on both.
 */

const typeDefs = parse(`
  type Query {
    hello: String
    viewerId: String
    requestId: String
    queryAfterRelease: String
  }
`);

/** A resolver that waits for the test to let it run SQL, so the caller can go away first. */
let started: () => void = () => {};
let release: Promise<void> = Promise.resolve();
let sqlOutcome: Promise<string> = Promise.resolve('');

let dataDir: string;
let db: Database;
let config: SubgraphBaseConfig;
let server: SubgraphServer;
let base: string;
const logLines: Array<Record<string, unknown>> = [];

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'lean-subgraph-'));
  config = readSubgraphBaseConfig(
    { NODE_ENV: 'test', DATA_DIR: dataDir, BODY_LIMIT_BYTES: '2048' },
    'lean',
    0,
  );
  db = await openDatabase({ service: 'lean', dataDir });
  const logger = createLogger({
    service: 'lean',
    level: 'info',
    format: 'json',
    destination: {
      write: (line: string) => {
        logLines.push(JSON.parse(line) as Record<string, unknown>);
      },
    },
  });
  server = await createSubgraphServer<RequestScope & Record<string, unknown>>({
    config,
    typeDefs,
    logger,
    db,
    resolvers: {
      Query: {
        hello: () => 'world',
        viewerId: (_: unknown, __: unknown, context: RequestScope) => context.viewer?.id ?? null,
        requestId: (_: unknown, __: unknown, context: RequestScope) => context.requestId,
        queryAfterRelease: async () => {
          started();
          await release;
          let outcome: string;
          try {
            await db.sequelize.query('SELECT 1');
            outcome = 'ran';
          } catch (error) {
            outcome = (error as Error).name;
          }
          sqlOutcome = Promise.resolve(outcome);
          return outcome;
        },
      },
    },
    createContext: (scope) => ({ ...scope }),
    routes: (app) => {
      app.get('/extra', (_req, res) => {
        res.json({ extra: true });
      });
    },
  });
  const port = await server.listen(0, '127.0.0.1');
  base = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

beforeEach(() => {
  logLines.length = 0;
});

function signed(body: string, identity: { userId: string; role: string } | null = null) {
  return signEnvelope(config.signingSecret, {
    audience: 'lean',
    identity,
    method: 'POST',
    body,
  });
}

async function post(
  body: string | Uint8Array,
  headers: Record<string, string>,
  path = '/graphql',
): Promise<{ status: number; headers: Headers; json: unknown }> {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : undefined };
}

/** Waits for the access-log line of `requestId` (written once the answer has been sent). */
async function accessLine(requestId: string): Promise<Record<string, unknown>> {
  for (let i = 0; i < 100; i += 1) {
    const line = logLines.find((l) => l.msg === 'request completed' && l.requestId === requestId);
    if (line) return line;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`no access-log line for ${requestId}`);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A GraphQL-shaped error answer: one error with `message` and `extensions.code`. */
const errorBody = (message: string, code: string) => ({
  errors: [{ message, extensions: { code } }],
});

describe('POST /graphql', () => {
  it('answers a signed request with the viewer, its request id and no-store, and logs it', async () => {
    const body = JSON.stringify({ query: 'query Who { hello viewerId requestId }' });
    const res = await post(body, {
      ...signed(body, { userId: 'user-1', role: 'USER' }),
      'x-request-id': 'req-lean-1',
    });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      data: { hello: 'world', viewerId: 'user-1', requestId: 'req-lean-1' },
    });
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-request-id')).toBe('req-lean-1');
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await accessLine('req-lean-1')).toMatchObject({
      operationName: 'Who',
      status: 200,
      outcome: 'success',
    });
  });

  it('checks the signature over the decoded body, a query string allowed', async () => {
    const body = JSON.stringify({ query: '{ hello }' });
    const res = await post(
      gzipSync(body),
      { ...signed(body), 'content-encoding': 'gzip' },
      '/graphql?x=1',
    );
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ data: { hello: 'world' } });
  });

  it('refuses a bad signature with a JSON 401, no-store and a fresh request id, and logs why', async () => {
    const body = JSON.stringify({ query: '{ hello }' });
    const headers = signed(JSON.stringify({ query: '{ viewerId }' }));
    const res = await post(body, headers);
    expect(res.status).toBe(401);
    expect(res.json).toEqual(
      errorBody('Unauthenticated: bad gateway signature', 'UNAUTHENTICATED'),
    );
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const requestId = res.headers.get('x-request-id') ?? '';
    expect(requestId).toMatch(UUID);
    expect(logLines).toContainEqual(
      expect.objectContaining({
        msg: 'refused unsigned subgraph request',
        reason: 'bad gateway signature',
        ip: '127.0.0.1',
      }),
    );
    expect(await accessLine(requestId)).toMatchObject({ status: 401, outcome: 'error' });
  });

  it('refuses a POST without a JSON body as unsigned', async () => {
    const res = await post('{ hello }', { 'content-type': 'text/plain' });
    expect(res.status).toBe(401);
    expect(res.json).toEqual(
      errorBody(
        'Unauthenticated: subgraphs accept only signed POST requests from the gateway',
        'UNAUTHENTICATED',
      ),
    );
  });

  it('answers a body over the limit with a JSON 413, declared or not', async () => {
    const body = JSON.stringify({ query: `{ hello }${' '.repeat(4096)}` });
    const declared = await post(body, signed(body));
    expect(declared.status).toBe(413);
    expect(declared.json).toEqual(
      errorBody('Request body is larger than the limit of 2048 bytes', 'PAYLOAD_TOO_LARGE'),
    );
    expect(declared.headers.get('cache-control')).toBe('no-store');
    expect(declared.headers.get('x-request-id')).toMatch(UUID);

    const zipped = await post(gzipSync(body), { ...signed(body), 'content-encoding': 'gzip' });
    expect(zipped.status).toBe(413);
  });

  it('answers malformed JSON with the JSON 400 Express gave, before the signature', async () => {
    const res = await post('{"query": "{ hello }",', {});
    expect(res.status).toBe(400);
    expect(res.json).toEqual({
      errors: [{ message: 'Request body is not valid JSON', extensions: { code: 'BAD_REQUEST' } }],
    });
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-request-id')).toMatch(UUID);
  });

  it('refuses an unsupported content encoding as Express did', async () => {
    const res = await post('{}', { 'content-encoding': 'compress' });
    expect(res.status).toBe(415);
    expect(res.json).toEqual({
      errors: [{ message: 'Request cannot be read', extensions: { code: 'BAD_REQUEST' } }],
    });
  });

  it('starts no SQL for a request whose caller has gone', async () => {
    let letGo: () => void = () => {};
    release = new Promise((resolve) => {
      letGo = resolve;
    });
    const running = new Promise<void>((resolve) => {
      started = resolve;
    });
    const body = JSON.stringify({ query: '{ queryAfterRelease }' });
    const req = request(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...signed(body) },
    });
    req.on('error', () => {});
    req.end(body);
    await running;
    req.destroy();
    // The server sees the connection close, then the resolver asks for SQL.
    await new Promise((resolve) => setTimeout(resolve, 100));
    letGo();
    for (let i = 0; i < 100 && (await sqlOutcome) === ''; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(await sqlOutcome).toBe('RequestAbortedError');

    // A caller that stays gets its SQL run.
    sqlOutcome = Promise.resolve('');
    release = Promise.resolve();
    const stayed = await post(body, signed(body));
    expect(stayed.json).toEqual({ data: { queryAfterRelease: 'ran' } });
  });
});

describe('everything else goes through Express', () => {
  it('answers GET /graphql with the same 401, request id and no-store', async () => {
    const res = await fetch(`${base}/graphql?query=%7Bhello%7D`, {
      headers: { 'x-request-id': 'req-lean-get' },
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual(
      errorBody(
        'Unauthenticated: subgraphs accept only signed POST requests from the gateway',
        'UNAUTHENTICATED',
      ),
    );
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-request-id')).toBe('req-lean-get');
    expect(await accessLine('req-lean-get')).toMatchObject({ status: 401 });
  });

  it('serves a signed POST /graphql/ as POST /graphql', async () => {
    const body = JSON.stringify({ query: '{ hello }' });
    const res = await post(body, signed(body), '/graphql/');
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ data: { hello: 'world' } });
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('serves /health, the extra routes and a JSON 404', async () => {
    const health = await fetch(`${base}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', service: 'lean' });
    const ready = await fetch(`${base}/health/ready`);
    expect(ready.status).toBe(200);
    const extra = await fetch(`${base}/extra`);
    expect(await extra.json()).toEqual({ extra: true });
    const missing = await fetch(`${base}/nowhere`, { method: 'POST' });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({
      errors: [{ message: 'Not found', extensions: { code: 'NOT_FOUND' } }],
    });
  });
});
