import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Database } from '../database';
import { createMigrator, type Migration } from '../migrator';
import {
  createTestPostgresDatabase,
  postgresSkipReason,
  type TestPostgresDatabase,
} from '../testing';

/**
 * Replicas that start together on an empty PostgreSQL database migrate one after the other under
 * an advisory lock: no start fails, and every migration is applied exactly once.
 */

const skip = postgresSkipReason();
if (skip) console.log(`migrationLock: PostgreSQL tests skipped: ${skip}`);

(skip ? describe.skip : describe)('migrators starting together on PostgreSQL', () => {
  let pg: TestPostgresDatabase;
  let dataDir: string;
  const replicas: Database[] = [];
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'migration-lock-'));
    pg = await createTestPostgresDatabase('kit_migrations');
    for (let i = 0; i < 3; i += 1) {
      replicas.push(await openDatabase({ service: 'things', dataDir, url: pg.url }));
    }
  });
  afterAll(async () => {
    await Promise.all(replicas.map((db) => db.close()));
    await pg.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** Each `up` runs slowly, so that unguarded replicas would overlap. */
  const migrations: Migration[] = [
    {
      name: '20260101000000-create-things',
      async up({ queryInterface, DataTypes }) {
        await queryInterface.sequelize.query('SELECT pg_sleep(0.2)');
        await queryInterface.createTable('things', {
          id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        });
        await queryInterface.sequelize.query('CREATE TABLE IF NOT EXISTS applied (name text)');
        await queryInterface.sequelize.query("INSERT INTO applied VALUES ('create-things')");
      },
      down: ({ queryInterface }) => queryInterface.dropTable('things'),
    },
    {
      name: '20260101000001-add-label',
      async up({ queryInterface, DataTypes }) {
        await queryInterface.sequelize.query('SELECT pg_sleep(0.2)');
        await queryInterface.addColumn('things', 'label', { type: DataTypes.STRING });
        await queryInterface.sequelize.query("INSERT INTO applied VALUES ('add-label')");
      },
      down: ({ queryInterface }) => queryInterface.removeColumn('things', 'label'),
    },
  ];

  it('three replicas on an empty database: none fails, each migration runs once', async () => {
    const results = await Promise.all(replicas.map((db) => createMigrator(db, migrations).up()));
    const appliedBy = results.map((applied) => applied.map((migration) => migration.name));
    // One replica applies both; the others find nothing pending once they hold the lock.
    expect(appliedBy.filter((names) => names.length > 0)).toEqual([
      ['20260101000000-create-things', '20260101000001-add-label'],
    ]);
    expect(appliedBy.filter((names) => names.length === 0)).toHaveLength(2);
    const db = replicas[0] as Database;
    const [applied] = await db.sequelize.query('SELECT name FROM applied ORDER BY name');
    expect(applied).toEqual([{ name: 'add-label' }, { name: 'create-things' }]);
    const [meta] = await db.sequelize.query('SELECT name FROM "SequelizeMeta" ORDER BY name');
    expect(meta).toEqual([
      { name: '20260101000000-create-things' },
      { name: '20260101000001-add-label' },
    ]);
  });

  it('releases the lock when done, and when a migration fails', async () => {
    const db = replicas[1] as Database;
    const heldLocks = async () => {
      const row = await db.sequelize.query(
        "SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory'",
        { plain: true },
      );
      return (row as { n: number } | null)?.n;
    };
    expect(await heldLocks()).toBe(0);
    const failing: Migration = {
      name: '20260101000002-broken',
      up: async ({ queryInterface }) => {
        await queryInterface.sequelize.query('SELECT * FROM no_such_table');
      },
      down: async () => undefined,
    };
    await expect(createMigrator(db, [...migrations, failing]).up()).rejects.toThrow(
      /no_such_table/,
    );
    expect(await heldLocks()).toBe(0);
    // Another replica is not kept waiting by it.
    await expect(createMigrator(replicas[2] as Database, migrations).up()).resolves.toEqual([]);
  });
});
