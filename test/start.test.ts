import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { freePort } from '../scripts/freePort';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '..');

describe('npm start', () => {
  it('starts all four services, answers a cross-subgraph query, and stops cleanly on SIGTERM', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'fedstack-start-'));
    const [gateway, users, orders, suppliers] = await Promise.all([
      freePort(),
      freePort(),
      freePort(),
      freePort(),
    ]);
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'scripts/start.ts')], {
      cwd: root,
      env: {
        ...process.env,
        NODE_ENV: 'development',
        DATA_DIR: dataDir,
        GATEWAY_PORT: String(gateway),
        USERS_PORT: String(users),
        ORDERS_PORT: String(orders),
        SUPPLIERS_PORT: String(suppliers),
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolveExit) =>
      child.once('exit', (code) => resolveExit(code)),
    );
    try {
      const deadline = Date.now() + 90_000;
      while (
        !output.includes('Press Ctrl-C to stop') &&
        Date.now() < deadline &&
        child.exitCode === null
      ) {
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(output).toContain('Press Ctrl-C to stop');
      expect(output).toContain(`http://localhost:${gateway}/graphql`);
      expect(output).toMatch(/alice\s+\/\s+alice-password/);

      const post = (query: string, token?: string) =>
        fetch(`http://127.0.0.1:${gateway}/graphql`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(token ? { authorization: `Bearer ${token}` } : {}),
          },
          body: JSON.stringify({ query }),
        }).then(
          (res) =>
            res.json() as Promise<{
              data?: {
                login?: { accessToken: string };
                me?: { username: string; orders: unknown[] };
              };
              errors?: unknown[];
            }>,
        );
      const login = await post(
        'mutation { login(username: "alice", password: "alice-password") { accessToken } }',
      );
      const token = login.data?.login?.accessToken ?? '';
      expect(token).toEqual(expect.any(String));
      const me = await post(
        '{ me { username orders { item supplier { name createdBy { username } } } suppliers { name } } }',
        token,
      );
      expect(me.errors).toBeUndefined();
      expect(me.data?.me?.username).toBe('alice');
      expect(me.data?.me?.orders.length).toBeGreaterThan(0);
    } finally {
      child.kill('SIGTERM');
      const code = await exited;
      rmSync(dataDir, { recursive: true, force: true });
      expect(code).toBe(0);
    }
    for (const port of [gateway, users, orders, suppliers]) {
      await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
    }
  }, 120_000);
});
