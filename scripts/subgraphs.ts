import { dirname, relative, resolve } from 'node:path';
import { inSeedOrder, type SubgraphDefinition } from '@fedstack/kit';
import { readSupergraphConfig, type SupergraphSubgraph } from './composeSupergraph';

const ROOT = resolve(__dirname, '..');

/** `supergraph.yaml` at the repository root: the one list of this repository's subgraphs. */
export const SUPERGRAPH_CONFIG = resolve(ROOT, 'supergraph.yaml');

/** Whether `value` is a subgraph definition (what `defineSubgraph` returns) named `name`. */
function isDefinitionOf(value: unknown, name: string): value is SubgraphDefinition {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<SubgraphDefinition>;
  return candidate.name === name && typeof candidate.createServer === 'function';
}

/**
 * The definition of one subgraph of `supergraph.yaml`: the workspace holding its schema file
 * (`subgraphs/<name>/schema.graphql` → `subgraphs/<name>`) exports it from its main module.
 */
export function definitionOf(subgraph: SupergraphSubgraph): SubgraphDefinition {
  const workspace = dirname(subgraph.schemaFile);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const exported = require(workspace) as Record<string, unknown>;
  const definition = Object.values(exported).find((value) => isDefinitionOf(value, subgraph.name));
  if (!definition) {
    throw new Error(
      `${relative(ROOT, workspace)} exports no subgraph named "${subgraph.name}" (defineSubgraph({ name: '${subgraph.name}', ... }))`,
    );
  }
  return definition;
}

/** The subgraphs of this repository's `supergraph.yaml`, read once. */
const LISTED = readSupergraphConfig(SUPERGRAPH_CONFIG);

/**
 * Every subgraph of `supergraph.yaml`, in seed order (each after those it names in `seedAfter`,
 * otherwise as listed). Start, migrate, seed, the tests and the bench all take the list from here.
 */
export const SUBGRAPHS: SubgraphDefinition[] = inSeedOrder(LISTED.map(definitionOf));

/** The entry point of each service, relative to the repository root. */
export function mainFileOf(name: string): string {
  if (name === 'gateway') return 'gateway/src/main.ts';
  const subgraph = LISTED.find((entry) => entry.name === name);
  if (!subgraph) throw new Error(`no subgraph "${name}" in supergraph.yaml`);
  return relative(ROOT, resolve(dirname(subgraph.schemaFile), 'src', 'main.ts'));
}
