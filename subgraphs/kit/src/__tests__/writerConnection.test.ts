import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QueryTypes } from 'sequelize';
import { openDatabase, type Database } from '../database';

/** The connections Sequelize's SQLite connection manager holds open, by key. */
function openConnections(db: Database): Record<string, unknown> {
  return (db.sequelize.connectionManager as unknown as { connections: Record<string, unknown> })
    .connections;
}

describe('SQLite writes', () => {
  let dir: string;
  let db: Database;
  const count = async () =>
    (
      await db.sequelize.query<{ n: number }>('SELECT COUNT(*) AS n FROM "items"', {
        type: QueryTypes.SELECT,
      })
    )[0]?.n;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kit-writer-'));
    db = await openDatabase({ service: 'writer', dataDir: dir });
    await db.sequelize.query('CREATE TABLE "items" ("id" INTEGER PRIMARY KEY, "name" TEXT UNIQUE)');
  });
  afterAll(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('run every transaction on one writer connection, kept open between them', async () => {
    const seen = new Set<unknown>();
    for (let i = 0; i < 5; i += 1) {
      await db.write(async (transaction) => {
        seen.add((transaction as unknown as { connection: unknown }).connection);
        await db.sequelize.query(`INSERT INTO "items" ("name") VALUES ('item ${i}')`, {
          transaction,
        });
      });
    }
    expect(seen.size).toBe(1);
    expect(Object.keys(openConnections(db)).sort()).toEqual(['default', 'writer']);
    expect(await count()).toBe(5);
  });

  it('runs concurrent transactions one at a time, each whole or not at all', async () => {
    const before = await count();
    const outcomes = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        db.write(async (transaction) => {
          await db.sequelize.query(`INSERT INTO "items" ("name") VALUES ('batch ${i}')`, {
            transaction,
          });
          // Every third one fails after its first insert: that insert must not stay.
          if (i % 3 === 0) throw new Error(`refused ${i}`);
          await db.sequelize.query(`INSERT INTO "items" ("name") VALUES ('batch ${i} again')`, {
            transaction,
          });
        }),
      ),
    );
    const failed = outcomes.filter((outcome) => outcome.status === 'rejected').length;
    expect(failed).toBe(7);
    expect(await count()).toBe(Number(before) + 13 * 2);
  });

  it('closes the writer after a failed transaction and opens a fresh one for the next', async () => {
    let first: unknown;
    await db.write(async (transaction) => {
      first = (transaction as unknown as { connection: unknown }).connection;
    });
    await expect(
      db.write(async (transaction) => {
        await db.sequelize.query(`INSERT INTO "items" ("name") VALUES ('item 0')`, {
          transaction,
        });
      }),
    ).rejects.toThrow(/UNIQUE|Validation/);
    let next: unknown;
    await db.write(async (transaction) => {
      next = (transaction as unknown as { connection: unknown }).connection;
      await db.sequelize.query(`INSERT INTO "items" ("name") VALUES ('after the failure')`, {
        transaction,
      });
    });
    expect(next).not.toBe(first);
    const [row] = await db.sequelize.query<{ name: string }>(
      `SELECT "name" FROM "items" WHERE "name" = 'after the failure'`,
      { type: QueryTypes.SELECT },
    );
    expect(row?.name).toBe('after the failure');
  });

  it('writes a single statement outside a transaction, in turn with the others', async () => {
    const before = Number(await count());
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        i % 2 === 0
          ? db.writeStatement(() =>
              db.sequelize.query(`INSERT INTO "items" ("name") VALUES ('single ${i}')`),
            )
          : db.write((transaction) =>
              db.sequelize.query(`INSERT INTO "items" ("name") VALUES ('single ${i}')`, {
                transaction,
              }),
            ),
      ),
    );
    expect(await count()).toBe(before + 10);
  });
});
