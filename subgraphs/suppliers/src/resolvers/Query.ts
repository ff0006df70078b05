import { readId, readPage } from '@fedstack/kit';
import type { QueryResolvers } from '../generated/graphql';
import { QueryTypes } from 'sequelize';
import { SUPPLIER_COLUMNS } from '../loaders';
import { supplierRow, type SupplierRow } from '../models/Supplier';

export const Query: QueryResolvers = {
  suppliers(_parent, args, { db }) {
    const { limit, offset } = readPage(args);
    return db.sequelize
      .query<SupplierRow>(
        `SELECT ${SUPPLIER_COLUMNS} FROM "suppliers" ORDER BY "id" LIMIT :limit OFFSET :offset`,
        { type: QueryTypes.SELECT, replacements: { limit, offset } },
      )
      .then((rows) => rows.map(supplierRow));
  },
  supplier(_parent, { id }, { loaders }) {
    return loaders.supplierById.load(readId('id', id));
  },
};
