import {
  badUserInput,
  isSelfOrAdmin,
  notFound,
  parseId,
  readId,
  readText,
  requireViewer,
} from '@fedstack/kit';
import type { MutationResolvers } from '../generated/graphql';

const MAX_QUANTITY = 10_000;
const MAX_SUPPLIER_ID_LENGTH = 64;

export const Mutation: MutationResolvers = {
  async createOrder(_parent, { input }, { viewer, db, models, loaders }) {
    const caller = requireViewer(viewer);
    const item = readText('input.item', input.item, { min: 1, max: 200 });
    const { quantity } = input;
    if (!Number.isInteger(quantity) || quantity < 1 || quantity > MAX_QUANTITY) {
      throw badUserInput('input.quantity', `must be from 1 to ${MAX_QUANTITY}, got ${quantity}`);
    }
    // Another subgraph owns suppliers, so the id is kept as given and not checked here: the
    // suppliers subgraph answers an unknown one with null when the reference is resolved.
    const supplierId = input.supplierId ?? null;
    if (
      supplierId !== null &&
      (supplierId.length === 0 || supplierId.length > MAX_SUPPLIER_ID_LENGTH)
    ) {
      throw badUserInput(
        'input.supplierId',
        `must be 1 to ${MAX_SUPPLIER_ID_LENGTH} characters, got ${supplierId.length}`,
      );
    }
    const order = await db.writeStatement(() =>
      models.Order.create({ userId: caller.id, supplierId, item, quantity }),
    );
    loaders.orderById.prime(String(order.id), order);
    return order;
  },

  async cancelOrder(_parent, { id }, { viewer, db, models, loaders }) {
    const caller = requireViewer(viewer);
    const key = parseId(readId('id', id));
    if (key === null) throw notFound('Order', id);
    const order = await db.write(async (transaction) => {
      const found = await models.Order.findByPk(key, { transaction });
      // Someone else's order is reported as missing: its existence is private.
      if (!found || !isSelfOrAdmin(caller, found.userId)) throw notFound('Order', id);
      if (found.status === 'CANCELLED') return found;
      return found.update({ status: 'CANCELLED' }, { transaction });
    });
    loaders.orderById.clear(id).prime(id, order);
    return order;
  },
};
