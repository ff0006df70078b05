import type { Database, RequestScope } from '@fedstack/kit';
import { createLoaders, type Loaders } from './loaders';
import type { SupplierStatic } from './models/Supplier';

/** What every suppliers resolver receives. */
export interface Context extends RequestScope {
  loaders: Loaders;
  db: Database;
  models: { Supplier: SupplierStatic };
}

/** The context of one request: the caller from the verified envelope plus fresh loaders. */
export function createContext(
  scope: RequestScope,
  deps: { db: Database; models: { Supplier: SupplierStatic } },
): Context {
  return {
    ...scope,
    db: deps.db,
    models: deps.models,
    loaders: createLoaders(deps.models.Supplier),
  };
}
