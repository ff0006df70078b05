import type DataLoader from 'dataloader';
import { loadById, pagesByParent, type Page } from '@fedstack/kit';
import type { SupplierRow, SupplierStatic } from './models/Supplier';

/** The DataLoaders of one request; never shared between requests. */
export interface Loaders {
  /** A supplier by its id as the client wrote it; null when malformed or missing. */
  supplierById: DataLoader<string, SupplierRow | null>;
  /** One page of the suppliers each user created, oldest first; one loader (and cache) per page. */
  suppliersByCreatorId(page: Page): DataLoader<string, SupplierRow[]>;
}

/** Creates a fresh set of loaders for one request. */
export function createLoaders(SupplierModel: SupplierStatic): Loaders {
  return {
    supplierById: loadById(SupplierModel),
    suppliersByCreatorId: pagesByParent(SupplierModel, 'createdById'),
  };
}
