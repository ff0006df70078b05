import type { Database, Logger, SeedRefs } from '@fedstack/kit';
import { defineSupplierModel } from './models/Supplier';

/**
 * Development data: three suppliers, created by the seeded admin, alice and bob. Returns `refs`
 * with the suppliers' ids under `suppliers` (those already stored when the table holds rows), for the orders seed.
 * Skips, with a warning, when the users were not seeded first.
 */
export async function seedSuppliers(
  db: Database,
  refs: SeedRefs,
  logger: Logger,
): Promise<SeedRefs> {
  const Supplier = defineSupplierModel(db.sequelize);
  const existing = await Supplier.findAll({ attributes: ['id'], order: [['id', 'ASC']], limit: 3 });
  if (existing.length > 0) {
    return { ...refs, suppliers: existing.map((supplier) => String(supplier.id)) };
  }
  if (!refs.users) {
    logger.warn('suppliers seed skipped: no seeded users to create the suppliers');
    return refs;
  }
  const { admin, alice, bob } = refs.users;
  const created = await db.write((transaction) =>
    Supplier.bulkCreate(
      [
        {
          name: 'Greta',
          surname: 'Lindqvist',
          address: '12 Harbour Road, Gothenburg',
          createdById: admin,
        },
        {
          name: 'Tomás',
          surname: 'Ferreira',
          address: '48 Rua das Flores, Porto',
          createdById: alice,
        },
        { name: 'Amara', surname: 'Okafor', address: '7 Marina Street, Lagos', createdById: bob },
      ],
      { transaction },
    ),
  );
  logger.info({ suppliers: created.length }, 'suppliers seeded');
  return { ...refs, suppliers: created.map((supplier) => String(supplier.id)) };
}
