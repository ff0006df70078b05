import type { SubgraphDefinition } from '@fedstack/kit';
import { ordersSubgraph } from '@fedstack/orders';
import { suppliersSubgraph } from '@fedstack/suppliers';
import { usersSubgraph } from '@fedstack/users';

/**
 * Every subgraph of this repository, in seed order: suppliers reference users, orders reference
 * both. A new subgraph is added here and in supergraph.yaml.
 */
export const SUBGRAPHS = [
  usersSubgraph,
  suppliersSubgraph,
  ordersSubgraph,
] as unknown as SubgraphDefinition[];

/** The entry point of each service, relative to the repository root. */
export function mainFileOf(name: string): string {
  return name === 'gateway' ? 'gateway/src/main.ts' : `subgraphs/${name}/src/main.ts`;
}
