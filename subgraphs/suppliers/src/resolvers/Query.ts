import { loadPage, readId, readPage } from '@fedstack/kit';
import type { QueryResolvers } from '../generated/graphql';

export const Query: QueryResolvers = {
  suppliers(_parent, args, { models }) {
    return loadPage(models.Supplier, readPage(args));
  },
  supplier(_parent, { id }, { loaders }) {
    return loaders.supplierById.load(readId('id', id));
  },
};
