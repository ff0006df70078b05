/**
 * Request ids, JSON access logs and Prometheus metrics across real processes: the gateway takes a
 * plain `x-request-id` (or makes one), returns it and forwards it, and every service logs it.
 */
import {
  freePort,
  spawnService,
  startProcessStack,
  waitFor,
  type ProcessStack,
} from '../helpers/processes';

let stack: ProcessStack;
let token: string;
beforeAll(async () => {
  stack = await startProcessStack();
  token = (await stack.login('alice', 'alice-password')).accessToken;
});
afterAll(() => stack?.stop());

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function completed(service: 'gateway' | 'users' | 'orders' | 'suppliers', requestId: string) {
  return stack.services[service]
    .logs()
    .filter((line) => line.requestId === requestId && line.msg === 'request completed');
}

async function metricsOf(origin: string): Promise<string> {
  const response = await fetch(`${origin}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
  return response.text();
}

it('returns, forwards and logs a request id in every service it touches', async () => {
  const requestId = 'ops-test.request:1';
  const res = await stack.request<{ me: { username: string } }>(
    'query MyOrders { me { username orders { item supplier { name } } } }',
    {},
    { token, headers: { 'x-request-id': requestId } },
  );
  expect(res.body.errors).toBeUndefined();
  expect(res.headers.get('x-request-id')).toBe(requestId);

  for (const service of ['gateway', 'users', 'orders', 'suppliers'] as const) {
    await waitFor(`${service} to log ${requestId}`, () => completed(service, requestId).length > 0);
  }
  expect(completed('gateway', requestId)).toEqual([
    expect.objectContaining({
      level: 30,
      service: 'gateway',
      operationName: 'MyOrders',
      status: 200,
      outcome: 'success',
      durationMs: expect.any(Number),
    }),
  ]);
  // Each subgraph sees the operation the query planner wrote for it.
  expect(completed('orders', requestId)[0]).toEqual(
    expect.objectContaining({ service: 'orders', status: 200, outcome: 'success' }),
  );
});

it('replaces a request id that is too long or not plain, and makes one when none is sent', async () => {
  for (const given of ['a'.repeat(129), 'has spaces', 'new\\nline', undefined]) {
    const res = await stack.request(
      '{ suppliers { name } }',
      {},
      { headers: given === undefined ? {} : { 'x-request-id': given } },
    );
    expect(res.status).toBe(200);
    const id = res.headers.get('x-request-id') ?? '';
    expect(id).toMatch(UUID);
    await waitFor(`suppliers to log ${id}`, () => completed('suppliers', id).length === 1);
  }
});

it('serves Prometheus metrics on every service', async () => {
  await stack.request('query Broken { nope }', {}, { token });
  const gateway = await metricsOf(stack.services.gateway.origin);
  expect(gateway).toMatch(
    /^graphql_requests_total\{service="gateway",operation="MyOrders",outcome="success"\} 1$/m,
  );
  expect(gateway).toMatch(
    /^graphql_requests_total\{service="gateway",operation="anonymous",outcome="error"\} 1$/m,
  );
  expect(gateway).toMatch(
    /^graphql_request_duration_seconds_bucket\{le="\+Inf",service="gateway",operation="MyOrders",outcome="success"\} 1$/m,
  );
  for (const subgraph of ['users', 'orders', 'suppliers']) {
    expect(gateway).toMatch(
      new RegExp(
        `^gateway_subgraph_fetch_duration_seconds_count\\{subgraph="${subgraph}",outcome="success"\\} [1-9]`,
        'm',
      ),
    );
  }
  expect(gateway).toMatch(/^process_cpu_user_seconds_total /m);
  expect(gateway).toMatch(/^nodejs_eventloop_lag_seconds /m);

  for (const service of ['users', 'orders', 'suppliers'] as const) {
    const text = await metricsOf(stack.services[service].origin);
    expect(text).toMatch(
      new RegExp(
        `^graphql_requests_total\\{service="${service}",operation="[^"]+",outcome="success"\\} [1-9]`,
        'm',
      ),
    );
    expect(text).toMatch(
      new RegExp(
        `^db_query_duration_seconds_count\\{service="${service}",statement="select"\\} [1-9]`,
        'm',
      ),
    );
    expect(text).toMatch(/^process_resident_memory_bytes /m);
  }
});

it('serves gateway metrics only on METRICS_PORT when it is set', async () => {
  const metricsPort = await freePort();
  const gateway = await spawnService('gateway', {
    ...stack.envOf.gateway,
    METRICS_PORT: String(metricsPort),
  });
  try {
    expect((await fetch(`${gateway.origin}/metrics`)).status).toBe(404);
    expect(await metricsOf(`http://127.0.0.1:${metricsPort}`)).toMatch(
      /^process_cpu_user_seconds_total /m,
    );
  } finally {
    await gateway.stop();
  }
});
