import type { Viewer } from '@fedstack/kit';
import type { TestResponse } from '@fedstack/kit/testing';

export const alice: Viewer = { id: 'user-alice', role: 'USER' };
export const bob: Viewer = { id: 'user-bob', role: 'USER' };
export const carol: Viewer = { id: 'user-carol', role: 'USER' };
export const admin: Viewer = { id: 'user-admin', role: 'ADMIN' };

/** The SELECT statements among `sql` that read the `suppliers` table. */
export function suppliersSelects(sql: string[]): string[] {
  return sql.filter(
    (statement) => /\bSELECT\b/i.test(statement) && /FROM [`"]suppliers[`"]/.test(statement),
  );
}

/** The codes of a response's errors, in order. */
export function codes(response: TestResponse<unknown>): unknown[] {
  return (response.body.errors ?? []).map((error) => error.extensions?.code);
}

export interface SupplierInput {
  name: string;
  surname: string;
  address: string;
}

/** A valid supplier input, distinguishable by `tag`. */
export function supplierInput(tag: string): SupplierInput {
  return { name: `Name ${tag}`, surname: `Surname ${tag}`, address: `${tag} Main Street` };
}
