import type { SupplierResolvers } from '../generated/graphql';
import { userReference } from '@fedstack/kit';

export const Supplier: SupplierResolvers = {
  __resolveReference(reference, { loaders }) {
    return loaders.supplierById.load(String(reference.id));
  },
  createdBy(supplier) {
    return supplier.createdById === null ? null : userReference(supplier.createdById);
  },
};
