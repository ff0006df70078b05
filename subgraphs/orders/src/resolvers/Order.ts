import { isSelfOrAdmin } from '@fedstack/kit';
import type { Context } from '../index';
import type { OrderResolvers } from '../generated/graphql';
import type { OrderRow } from '../models/Order';
import { userReference } from '@fedstack/kit';

/**
 * Loads an order if the viewer may see it: its owner or an admin. Anyone else, anonymous callers
 * included, gets null, so that a private order's existence is not revealed.
 */
export async function loadVisibleOrder(context: Context, id: string): Promise<OrderRow | null> {
  const order = await context.loaders.orderById.load(id);
  return order && isSelfOrAdmin(context.viewer, order.userId) ? order : null;
}

export const Order: OrderResolvers = {
  // The entity path skips the root fields, so it applies the same visibility rule itself.
  __resolveReference(reference, context) {
    return loadVisibleOrder(context, String(reference.id));
  },
  user(order) {
    return userReference(order.userId);
  },
  supplier(order) {
    return order.supplierId === null ? null : { __typename: 'Supplier', id: order.supplierId };
  },
};
