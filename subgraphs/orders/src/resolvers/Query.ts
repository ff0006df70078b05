import { isAdmin, readId, readPage, requireViewer } from '@fedstack/kit';
import type { QueryResolvers } from '../generated/graphql';
import { QueryTypes } from 'sequelize';
import { ORDER_COLUMNS } from '../loaders';
import { orderRow, type OrderRow } from '../models/Order';
import { loadVisibleOrder } from './Order';

export const Query: QueryResolvers = {
  order(_parent, { id }, context) {
    requireViewer(context.viewer);
    return loadVisibleOrder(context, readId('id', id));
  },
  orders(_parent, args, { viewer, loaders, db }) {
    const caller = requireViewer(viewer);
    const { limit, offset } = readPage(args);
    if (isAdmin(caller)) {
      return db.sequelize
        .query<OrderRow>(
          `SELECT ${ORDER_COLUMNS} FROM "orders" ORDER BY "id" LIMIT :limit OFFSET :offset`,
          { type: QueryTypes.SELECT, replacements: { limit, offset } },
        )
        .then((rows) => rows.map(orderRow));
    }
    return loaders.ordersByUserId({ limit, offset }).load(caller.id);
  },
};
