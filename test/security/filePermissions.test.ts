/**
 * Item 11: what a service writes to disk is its owner's alone: `DATA_DIR` (created when missing)
 * and the development keys folder are 0700, the SQLite database with its `-wal` and `-shm` files
 * and every key file 0600. The control is a file written the ordinary way in the same folder,
 * which gets the umask's 0644.
 */
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnService, type ServiceProcess } from '../helpers/processes';
import { startStack } from '../helpers/stack';

let dir: string;
let previousUmask: number;
let users: ServiceProcess | undefined;

beforeAll(() => {
  // The common umask, so that the control shows what an ordinary file would get.
  previousUmask = process.umask(0o022);
  dir = mkdtempSync(join(tmpdir(), 'fedstack-modes-'));
});
afterAll(async () => {
  await users?.stop();
  rmSync(dir, { recursive: true, force: true });
  process.umask(previousUmask);
});

const modeOf = (path: string) => statSync(path).mode & 0o777;

describe('11. file modes', () => {
  it('a subgraph creates DATA_DIR 0700 and its database, keys and their folder for its owner only', async () => {
    const dataDir = join(dir, 'new', 'data');
    expect(existsSync(dataDir)).toBe(false);
    users = await spawnService('users', {
      NODE_ENV: 'development',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
    });
    // Its migrations have written, so the write-ahead log files exist while it runs.

    const control = join(dataDir, 'control.txt');
    writeFileSync(control, 'an ordinary file');
    expect(modeOf(control)).toBe(0o644);

    expect(modeOf(dataDir)).toBe(0o700);
    for (const file of ['users.sqlite', 'users.sqlite-wal', 'users.sqlite-shm']) {
      expect([file, modeOf(join(dataDir, file))]).toEqual([file, 0o600]);
    }
    expect(modeOf(join(dataDir, 'keys'))).toBe(0o700);
    for (const file of ['jwt-private.pem', 'jwt-public.pem', 'gateway-signing.secret']) {
      expect([file, modeOf(join(dataDir, 'keys', file))]).toEqual([file, 0o600]);
    }
  });

  it('the in-process test stack removes its temporary DATA_DIR when stopped', async () => {
    const stack = await startStack({ seed: false });
    expect(existsSync(join(stack.dataDir, 'users.sqlite'))).toBe(true);
    await stack.stop();
    expect(existsSync(stack.dataDir)).toBe(false);
  });
});
