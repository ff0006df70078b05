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

/** Creates a fresh set of loaders for one request. */
export function createLoaders(OrderModel: OrderStatic): Loaders {
  return {
    orderById: loadById(OrderModel),
    ordersByUserId: pagesByParent(OrderModel, 'userId'),
  };
}
