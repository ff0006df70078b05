import type { Migration } from '@fedstack/kit';
import { createOrders } from './20261123000100_create_orders';
import { indexOrdersSupplier } from './20261130000200_index_orders_supplier';

/** Every migration of the orders database, oldest first. */
export const migrations: Migration[] = [createOrders, indexOrdersSupplier];
