import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Database } from '../database';

describe('SQLite statements', () => {
  let dir: string;
  let db: Database;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kit-stacks-'));
    db = await openDatabase({ service: 'stacks', dataDir: dir });
  });
  afterAll(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('capture no JavaScript frames per statement, yet a failing one still says what failed', async () => {
    const limit = Error.stackTraceLimit;
    const failure = await db.sequelize.query('SELECT * FROM "missing"').then(
      () => undefined,
      (error: unknown) => error as Error,
    );
    expect(failure?.message).toMatch(/no such table: missing/);
    // Sequelize gives a failing statement the stack it captured when the statement was issued.
    expect(failure?.stack).not.toMatch(/\n\s+at /);
    // Control: the limit is restored at once, so every other error keeps its frames.
    expect(Error.stackTraceLimit).toBe(limit);
    expect(new Error('control').stack).toMatch(/\n\s+at /);
    await expect(db.sequelize.query('SELECT 1 AS "one"')).resolves.toBeDefined();
  });
});
