import { readId, readPage } from '@fedstack/kit';
import type { QueryResolvers } from '../generated/graphql';
import { supplierRow } from '../models/Supplier';

export const Query: QueryResolvers = {
  suppliers(_parent, args, { models }) {
    const { limit, offset } = readPage(args);
    return models.Supplier.findAll({ order: [['id', 'ASC']], limit, offset, raw: true }).then(
      (rows) => rows.map(supplierRow),
    );
  },
  supplier(_parent, { id }, { loaders }) {
    return loaders.supplierById.load(readId('id', id));
  },
};
