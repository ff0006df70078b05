import { readId, readPage } from '@fedstack/kit';
import type { QueryResolvers } from '../generated/graphql';

export const Query: QueryResolvers = {
  suppliers(_parent, args, { models }) {
    const { limit, offset } = readPage(args);
    return models.Supplier.findAll({ order: [['id', 'ASC']], limit, offset });
  },
  supplier(_parent, { id }, { loaders }) {
    return loaders.supplierById.load(readId('id', id));
  },
};
