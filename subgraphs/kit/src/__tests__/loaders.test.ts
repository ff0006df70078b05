import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
} from 'sequelize';
import { bindModel } from '../bindModel';
import { openDatabase, type Database } from '../database';
import { loadById, loadPage, pagesByParent } from '../loaders';
import {
  createTestPostgresDatabase,
  testDatabases,
  type TestDatabase,
  type TestPostgresDatabase,
} from '../testing';

class Item extends Model<InferAttributes<Item>, InferCreationAttributes<Item>> {
  declare id: CreationOptional<number>;
  declare ownerId: string | null;
  declare label: string;
  declare secret: string;
  declare dueAt: Date | null;
  declare createdAt: Date;
  declare updatedAt: CreationOptional<Date>;
}

function defineItem(db: Database): typeof Item {
  return bindModel(
    Item,
    db.sequelize,
    {
      id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
      // Stored under another column name: loaded rows still carry the attribute's name.
      ownerId: { type: DataTypes.STRING(64), allowNull: true, field: 'owner_id' },
      label: { type: DataTypes.STRING(100), allowNull: false },
      secret: { type: DataTypes.STRING(100), allowNull: false },
      dueAt: { type: DataTypes.DATE, allowNull: true },
      createdAt: { type: DataTypes.DATE, allowNull: false },
      updatedAt: { type: DataTypes.DATE, allowNull: false },
    },
    { modelName: 'Item', tableName: 'loader_items', timestamps: true },
  );
}

const CREATED = Date.parse('2026-01-02T03:04:05.678Z');
/** Owners of the rows, in id order: interleaved, so that paging per owner is not paging by id. */
const OWNERS = ['a', 'b', 'a', null, 'a', 'b', 'a', 'a'] as const;

describe.each(testDatabases())('kit loaders on %s', (database: TestDatabase) => {
  let dir: string;
  let pg: TestPostgresDatabase | undefined;
  let db: Database;
  let ItemModel: typeof Item;
  const sql: string[] = [];
  /** Ids of the rows of `owner`, in id order. */
  let idsOf: (owner: string | null) => number[];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kit-loaders-'));
    if (database === 'postgres') pg = await createTestPostgresDatabase('kit_loaders');
    db = await openDatabase({
      service: 'loaders',
      dataDir: dir,
      url: pg?.url,
      onQuery: (statement) => sql.push(statement),
    });
    ItemModel = defineItem(db);
    await ItemModel.sync();
    const created = await ItemModel.bulkCreate(
      OWNERS.map((ownerId, i) => ({
        ownerId,
        label: `item ${i + 1}`,
        secret: `secret ${i + 1}`,
        dueAt: i === 1 ? new Date(CREATED + 86_400_000) : null,
        createdAt: new Date(CREATED + i * 1000),
      })),
    );
    const rows = created.map((row) => ({ id: row.id, ownerId: row.ownerId }));
    idsOf = (owner) => rows.filter((row) => row.ownerId === owner).map((row) => row.id);
  });
  afterAll(async () => {
    await db.close();
    await pg?.drop();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    sql.length = 0;
  });

  describe('loadById', () => {
    it('loads a batch in one statement; malformed and missing ids load null', async () => {
      const [first, second] = idsOf('a');
      const loader = loadById(ItemModel);
      const keys = [String(first), 'x1', String(second), '999999', '0', `0${first}`, '-1', ''];
      const rows = await Promise.all(keys.map((key) => loader.load(key)));
      expect(sql).toHaveLength(1);
      expect(sql[0]).toMatch(/\bIN\s*\(/);
      expect(rows.map((row) => row?.id ?? null)).toEqual([
        first,
        null,
        second,
        null,
        null,
        null,
        null,
        null,
      ]);
      expect(rows[0]).toMatchObject({ ownerId: 'a', label: `item 1`, secret: 'secret 1' });
    });

    it('runs no statement when every id is malformed', async () => {
      const rows = await loadById(ItemModel).loadMany(['abc', '1.5', ' 1']);
      expect(rows).toEqual([null, null, null]);
      expect(sql).toHaveLength(0);
    });

    it('never selects an excluded column, and names columns by attribute', async () => {
      const [id] = idsOf('b');
      const row = await loadById(ItemModel, { exclude: ['secret'] }).load(String(id));
      expect(row).not.toBeNull();
      expect(row).not.toHaveProperty('secret');
      expect(row).not.toHaveProperty('owner_id');
      expect(row?.ownerId).toBe('b');
      expect(sql).toHaveLength(1);
      expect(sql[0]).not.toMatch(/secret/);
      expect(sql[0]).toMatch(/"owner_id" AS "ownerId"/);
    });

    it('hands back DATE attributes as Dates with the stored instant, and null as null', async () => {
      const [withDue, withoutDue] = [idsOf('b')[0], idsOf('a')[0]];
      const loader = loadById(ItemModel);
      const [due, plain] = await Promise.all([
        loader.load(String(withDue)),
        loader.load(String(withoutDue)),
      ]);
      expect(due?.dueAt).toBeInstanceOf(Date);
      expect(due?.dueAt?.toISOString()).toBe(new Date(CREATED + 86_400_000).toISOString());
      expect(due?.createdAt).toBeInstanceOf(Date);
      expect(due?.createdAt.toISOString()).toBe(new Date(CREATED + 1000).toISOString());
      expect(due?.updatedAt).toBeInstanceOf(Date);
      expect(plain?.dueAt).toBeNull();
      expect(plain?.createdAt.toISOString()).toBe(new Date(CREATED).toISOString());
      // Not a model instance: a plain row.
      expect(due).not.toBeInstanceOf(Model);
    });
  });

  describe('pagesByParent', () => {
    it('pages every parent separately, in one statement per batch', async () => {
      const pages = pagesByParent(ItemModel, 'ownerId');
      const loader = pages({ limit: 2, offset: 1 });
      const [a, b, c] = await Promise.all([loader.load('a'), loader.load('b'), loader.load('c')]);
      expect(sql).toHaveLength(1);
      expect(sql[0]).toMatch(/ROW_NUMBER\(\) OVER \(PARTITION BY "owner_id" ORDER BY "id"\)/);
      expect(a.map((row) => row.id)).toEqual(idsOf('a').slice(1, 3));
      expect(b.map((row) => row.id)).toEqual(idsOf('b').slice(1, 3));
      expect(c).toEqual([]);
      expect(a.every((row) => row.createdAt instanceof Date)).toBe(true);
    });

    it('keeps one loader (and cache) per page', async () => {
      const pages = pagesByParent(ItemModel, 'ownerId', { exclude: ['secret'] });
      expect(pages({ limit: 2, offset: 0 })).toBe(pages({ limit: 2, offset: 0 }));
      expect(pages({ limit: 2, offset: 0 })).not.toBe(pages({ limit: 3, offset: 0 }));
      const first = await pages({ limit: 10, offset: 0 }).load('a');
      const last = await pages({ limit: 10, offset: 4 }).load('a');
      expect(first.map((row) => row.id)).toEqual(idsOf('a'));
      expect(last.map((row) => row.id)).toEqual(idsOf('a').slice(4));
      expect(first[0]).not.toHaveProperty('secret');
      expect(sql).toHaveLength(2);
      expect(sql.join('\n')).not.toMatch(/"secret"/);
      // The same page again is answered from that page's cache.
      await pages({ limit: 10, offset: 0 }).load('a');
      expect(sql).toHaveLength(2);
    });

    it('refuses an attribute the model does not have', () => {
      expect(() => pagesByParent(ItemModel, 'owner' as 'ownerId')).toThrow(/no attribute owner/);
    });
  });

  describe('loadPage', () => {
    it('pages all rows by id in one statement', async () => {
      const rows = await loadPage(ItemModel, { limit: 3, offset: 2 }, { exclude: ['secret'] });
      const all = [...idsOf('a'), ...idsOf('b'), ...idsOf(null)].sort((x, y) => x - y);
      expect(rows.map((row) => row.id)).toEqual(all.slice(2, 5));
      expect(rows[0]).not.toHaveProperty('secret');
      expect(rows[0]?.createdAt).toBeInstanceOf(Date);
      expect(sql).toHaveLength(1);
    });
  });
});
