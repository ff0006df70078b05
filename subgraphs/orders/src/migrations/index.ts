import type { Migration } from '@fedstack/kit';
import { createOrders } from './20261123000100_create_orders';

/** Every migration of the orders database, oldest first. */
export const migrations: Migration[] = [createOrders];
