import { isAdmin, loadPage, readId, readPage, requireViewer } from '@fedstack/kit';
import type { QueryResolvers } from '../generated/graphql';
import { loadVisibleOrder } from './Order';

export const Query: QueryResolvers = {
  order(_parent, { id }, context) {
    requireViewer(context.viewer);
    return loadVisibleOrder(context, readId('id', id));
  },
  orders(_parent, args, { viewer, loaders, models }) {
    const caller = requireViewer(viewer);
    const page = readPage(args);
    if (isAdmin(caller)) return loadPage(models.Order, page);
    return loaders.ordersByUserId(page).load(caller.id);
  },
};
