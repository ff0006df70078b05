import { selectsFrom, TEST_VIEWERS } from '@fedstack/kit/testing';

export { errorCodes as codes } from '@fedstack/kit/testing';
export const { alice, bob, carol, admin } = TEST_VIEWERS;

/** The SELECT statements among `sql` that read the `suppliers` table. */
export const suppliersSelects = (sql: string[]): string[] => selectsFrom(sql, 'suppliers');

export interface SupplierInput {
  name: string;
  surname: string;
  address: string;
}

/** A valid supplier input, distinguishable by `tag`. */
export function supplierInput(tag: string): SupplierInput {
  return { name: `Name ${tag}`, surname: `Surname ${tag}`, address: `${tag} Main Street` };
}
