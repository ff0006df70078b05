import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import {
  createSubgraphFetcher,
  SubgraphResponseTooLargeError,
  SubgraphTimeoutError,
} from '../subgraphFetcher';

describe('createSubgraphFetcher', () => {
  let server: Server;
  let url: string;
  const agent = new Agent();
  const seen: Array<{ method?: string; headers: Record<string, unknown>; body: string }> = [];
  /** URLs of slow answers whose connection closed before they were complete. */
  const cutOff: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        seen.push({
          method: req.method,
          headers: req.headers,
          body: Buffer.concat(chunks).toString(),
        });
        if (req.url?.startsWith('/stream/')) {
          // Chunked, without a content-length: the size is only known as it arrives.
          const chunks = Number(req.url.slice('/stream/'.length));
          res.writeHead(200, { 'content-type': 'application/json' });
          for (let i = 0; i < chunks; i += 1) res.write(' '.repeat(1000));
          res.end('{}');
          return;
        }
        if (req.url?.startsWith('/slow')) {
          res.on('close', () => {
            if (!res.writableFinished) cutOff.push(req.url ?? '');
          });
          res.writeHead(200, { 'content-type': 'application/json' });
          res.write('{"data":');
          // The headers arrive at once; the rest of the body never does within the deadline.
          setTimeout(() => res.end('{}}'), 1000).unref();
          return;
        }
        res.writeHead(201, { 'content-type': 'application/json', 'set-cookie': ['a=1', 'b=2'] });
        res.end('{"data":{"ok":true}}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await agent.close();
  });

  it('sends the method, headers and body and reads the answer', async () => {
    const fetcher = createSubgraphFetcher({ dispatcher: agent, timeoutMs: 2000 });
    const response = await fetcher(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'r1' },
      body: '{"query":"{ ok }"}',
    });
    expect(seen.at(-1)).toMatchObject({
      method: 'POST',
      headers: { 'x-request-id': 'r1' },
      body: '{"query":"{ ok }"}',
    });
    expect(response.status).toBe(201);
    expect(response.ok).toBe(true);
    expect(response.statusText).toBe('Created');
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.get('set-cookie')).toBe('a=1, b=2');
    expect(await response.clone().text()).toBe('{"data":{"ok":true}}');
    expect(await response.json()).toEqual({ data: { ok: true } });
    expect(response.bodyUsed).toBe(true);
    await expect(response.text()).rejects.toThrow(TypeError);
  });

  it('fails with a SubgraphTimeoutError when the answer does not complete in time', async () => {
    const fetcher = createSubgraphFetcher({ dispatcher: agent, timeoutMs: 150 });
    const started = Date.now();
    const failure = fetcher(`${url}/slow`, { method: 'POST', body: '{}' });
    await expect(failure).rejects.toThrow(SubgraphTimeoutError);
    expect(Date.now() - started).toBeLessThan(900);
  });

  it('gives every exchange its own whole deadline on the one shared timer, and drops late ones', async () => {
    const fetcher = createSubgraphFetcher({ dispatcher: agent, timeoutMs: 300 });
    const started = Date.now();
    // The first exchange ends at once; the timer set for it must not cut the later ones short.
    await fetcher(`${url}/graphql`, { method: 'POST', body: '{}' });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const late = Array.from({ length: 3 }, (_, i) =>
      fetcher(`${url}/slow?late=${i}`, { method: 'POST', body: '{}' }).then(
        () => 'answered',
        (error: unknown) => [error, Date.now() - started] as const,
      ),
    );
    const fast = Array.from({ length: 3 }, () =>
      fetcher(`${url}/graphql`, { method: 'POST', body: '{}' }).then((r) => r.json()),
    );
    expect(await Promise.all(fast)).toEqual(Array(3).fill({ data: { ok: true } }));
    for (const outcome of await Promise.all(late)) {
      expect(outcome).not.toBe('answered');
      const [error, elapsed] = outcome as readonly [unknown, number];
      expect(error).toEqual(new SubgraphTimeoutError(300));
      // Sent about 100 ms in, so due about 400 ms in: not at the first exchange's 300 ms.
      expect(elapsed).toBeGreaterThanOrEqual(390);
      expect(elapsed).toBeLessThan(900);
    }
    // The subgraph sees each late exchange's connection close before its answer was complete.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(cutOff.filter((path) => path.startsWith('/slow?late=')).sort()).toEqual([
      '/slow?late=0',
      '/slow?late=1',
      '/slow?late=2',
    ]);
  });

  it('fails with a SubgraphResponseTooLargeError once a streamed answer passes maxResponseBytes', async () => {
    const fetcher = createSubgraphFetcher({
      dispatcher: agent,
      timeoutMs: 2000,
      maxResponseBytes: 10_000,
    });
    const within = await fetcher(`${url}/stream/9`, { method: 'POST', body: '{}' });
    expect((await within.text()).length).toBe(9002);
    await expect(fetcher(`${url}/stream/11`, { method: 'POST', body: '{}' })).rejects.toThrow(
      new SubgraphResponseTooLargeError(10_000),
    );
  });

  it('refuses an answer with a content-length over maxResponseBytes', async () => {
    const fetcher = createSubgraphFetcher({
      dispatcher: agent,
      timeoutMs: 2000,
      maxResponseBytes: 10,
    });
    await expect(fetcher(`${url}/graphql`, { method: 'POST', body: '{}' })).rejects.toThrow(
      'answer larger than the limit of 10 bytes',
    );
  });
});
