import { postGraphQL, startGatewayFixture } from './support/gatewayFixture';

/**
 * `SHUTDOWN_DRAIN_DELAY_MS`: once asked to stop, the gateway says it is not ready, keeps serving
 * (closing each connection after its answer) for the delay, and only then stops accepting.
 */
describe('gateway drain before a shutdown', () => {
  it('answers /health/ready 503 draining and keeps serving during the delay, then stops', async () => {
    const f = await startGatewayFixture({ SHUTDOWN_DRAIN_DELAY_MS: '600' });
    try {
      expect((await fetch(`${f.url}/health/ready`)).status).toBe(200);
      const startedAt = Date.now();
      const stopped = f.server.stop().then(() => Date.now());
      const ready = await fetch(`${f.url}/health/ready`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({ status: 'draining', service: 'gateway' });
      const served = await postGraphQL(f.url, { query: '{ users { id } }' });
      expect(served.status).toBe(200);
      expect(served.body.data).toEqual({ users: [{ id: '1' }, { id: '2' }] });
      expect(served.headers.get('connection')).toBe('close');
      expect((await stopped) - startedAt).toBeGreaterThanOrEqual(600);
      await expect(fetch(`${f.url}/health`)).rejects.toThrow();
    } finally {
      await f.close();
    }
  });
});
