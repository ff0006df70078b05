import type { Migration } from '@fedstack/kit';
import { createSuppliers } from './20261123000100_create_suppliers';

/** Every migration of the suppliers database, oldest first. */
export const migrations: Migration[] = [createSuppliers];
