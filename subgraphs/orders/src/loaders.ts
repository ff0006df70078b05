import type DataLoader from 'dataloader';
import { loadById, pagesByParent, type Page } from '@fedstack/kit';
import type { OrderRow, OrderStatic } from './models/Order';

/** The DataLoaders of one request; never shared between requests, so nothing leaks across viewers. */
export interface Loaders {
  /** An order by its id as the client wrote it; null when malformed or missing. */
  orderById: DataLoader<string, OrderRow | null>;
  /** One page of each user's orders, oldest first; one loader (and cache) per page. */
  ordersByUserId(page: Page): DataLoader<string, OrderRow[]>;
}

/**
 * Every column of `orders`, for the statement of `Query.orders` that still writes its own SQL;
 * the loaders take theirs from the model.
 */
export const ORDER_COLUMNS =
  '"id", "userId", "supplierId", "item", "quantity", "status", "createdAt", "updatedAt"';

/** Creates a fresh set of loaders for one request. */
export function createLoaders(OrderModel: OrderStatic): Loaders {
  return {
    orderById: loadById(OrderModel),
    ordersByUserId: pagesByParent(OrderModel, 'userId'),
  };
}
