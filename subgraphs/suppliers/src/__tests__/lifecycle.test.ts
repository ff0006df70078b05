import {
  expectMigrationsRoundTrip,
  startTestSubgraph,
  testDatabases,
  warnRecordingLogger,
  type TestSubgraph,
} from '@fedstack/kit/testing';
import { suppliersSubgraph, type SuppliersConfig } from '../index';
import { migrations } from '../migrations';
import { defineSupplierModel } from '../models/Supplier';
import { seedSuppliers } from '../seed';
import { alice, supplierInput } from './helpers';

describe.each(testDatabases())('on %s', (database) => {
  const users = { admin: 'user-admin', alice: 'user-alice', bob: 'user-bob' };

  describe('migrations', () => {
    let sub: TestSubgraph<SuppliersConfig>;
    beforeAll(async () => {
      sub = await startTestSubgraph(suppliersSubgraph, { database });
    });
    afterAll(() => sub.stop());

    it('go down to nothing and up again cleanly', async () => {
      await expectMigrationsRoundTrip(sub.db, migrations, {
        tables: ['suppliers'],
        indexes: ['suppliers_created_by_id'],
      });
      const response = await sub.query(
        `mutation($input: CreateSupplierInput!) { createSupplier(input: $input) { id name } }`,
        { input: supplierInput('after') },
        alice,
      );
      expect(response.body).toEqual({ data: { createSupplier: { id: '1', name: 'Name after' } } });
    });
  });

  describe('seedSuppliers', () => {
    const logger = () => warnRecordingLogger('suppliers');

    it('creates suppliers by admin, alice and bob once, and answers their ids every time', async () => {
      const sub = await startTestSubgraph(suppliersSubgraph, { database });
      try {
        const first = await seedSuppliers(sub.db, { users }, logger());
        const Supplier = defineSupplierModel(sub.db.sequelize);
        const rows = await Supplier.findAll({ order: [['id', 'ASC']] });
        expect(rows.map((row) => row.createdById)).toEqual([users.admin, users.alice, users.bob]);
        expect(first).toEqual({ users, suppliers: rows.map((row) => String(row.id)) });

        const second = await seedSuppliers(sub.db, { users }, logger());
        expect(second).toEqual(first);
        expect(await Supplier.count()).toBe(rows.length);
      } finally {
        await sub.stop();
      }
    });

    it('skips with a warning when no users were seeded', async () => {
      const sub = await startTestSubgraph(suppliersSubgraph, { database });
      try {
        const log = logger();
        expect(await seedSuppliers(sub.db, {}, log)).toEqual({});
        expect(await defineSupplierModel(sub.db.sequelize).count()).toBe(0);
        expect(log.warn).toHaveBeenCalledTimes(1);
      } finally {
        await sub.stop();
      }
    });
  });
});
