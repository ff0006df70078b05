import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy to a local port that can be told to break the next connections: each one is
 * accepted and reset at once, before a byte reaches the target, which the client sees as a
 * connection failure. Counts what it passed and what it broke.
 */
export interface FaultyProxy {
  port: number;
  /** Connections passed through to the target. */
  passed: number;
  /** Connections reset. */
  resets: number;
  /** Resets the next `count` connections, after closing every open one (keep-alive included). */
  failNext(count: number): void;
  close(): Promise<void>;
}

export async function startFaultyProxy(targetPort: () => number): Promise<FaultyProxy> {
  const open = new Set<Socket>();
  let failures = 0;
  const proxy: FaultyProxy = {
    port: 0,
    passed: 0,
    resets: 0,
    failNext(count) {
      failures = count;
      for (const socket of open) socket.destroy();
      open.clear();
    },
    close: () =>
      new Promise((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
  const server: Server = createServer((client) => {
    if (failures > 0) {
      failures -= 1;
      proxy.resets += 1;
      client.resetAndDestroy();
      return;
    }
    proxy.passed += 1;
    const upstream = connect(targetPort(), '127.0.0.1');
    open.add(client);
    open.add(upstream);
    const drop = () => {
      open.delete(client);
      open.delete(upstream);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.port = (server.address() as AddressInfo).port;
  return proxy;
}
