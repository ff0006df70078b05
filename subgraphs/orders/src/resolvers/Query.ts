import { isAdmin, readId, readPage, requireViewer } from '@fedstack/kit';
import type { QueryResolvers } from '../generated/graphql';
import { orderRow } from '../models/Order';
import { loadVisibleOrder } from './Order';

export const Query: QueryResolvers = {
  order(_parent, { id }, context) {
    requireViewer(context.viewer);
    return loadVisibleOrder(context, readId('id', id));
  },
  orders(_parent, args, { viewer, loaders, models }) {
    const caller = requireViewer(viewer);
    const { limit, offset } = readPage(args);
    if (isAdmin(caller)) {
      return models.Order.findAll({ order: [['id', 'ASC']], limit, offset, raw: true }).then(
        (rows) => rows.map(orderRow),
      );
    }
    return loaders.ordersByUserId({ limit, offset }).load(caller.id);
  },
};
