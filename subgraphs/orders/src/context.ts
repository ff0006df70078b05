import type { Database, RequestScope } from '@fedstack/kit';
import { createLoaders, type Loaders } from './loaders';
import type { OrderStatic } from './models/Order';

/** What every orders resolver receives. */
export interface Context extends RequestScope {
  loaders: Loaders;
  db: Database;
  models: { Order: OrderStatic };
}

/** The context of one request: the caller from the verified envelope plus fresh loaders. */
export function createContext(
  scope: RequestScope,
  deps: { db: Database; models: { Order: OrderStatic } },
): Context {
  return { ...scope, db: deps.db, models: deps.models, loaders: createLoaders(deps.models.Order) };
}
