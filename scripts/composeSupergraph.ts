import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { parse as parseYaml } from 'yaml';

/** A subgraph as `supergraph.yaml` (rover's format) names it. */
export interface SupergraphSubgraph {
  name: string;
  routingUrl: string;
  schemaFile: string;
}

/**
 * The subgraphs of a `supergraph.yaml` text, their schema files as written (relative to the
 * file); throws with `source` and the offending key named when it is malformed.
 */
export function parseSupergraphConfig(text: string, source: string): SupergraphSubgraph[] {
  const doc = parseYaml(text) as {
    subgraphs?: Record<string, { routing_url?: string; schema?: { file?: string } }>;
  };
  if (!doc?.subgraphs || typeof doc.subgraphs !== 'object') {
    throw new Error(`${source}: expected a "subgraphs" map`);
  }
  return Object.entries(doc.subgraphs).map(([name, entry]) => {
    if (!entry?.routing_url) throw new Error(`${source}: subgraphs.${name}.routing_url is missing`);
    if (!entry.schema?.file) throw new Error(`${source}: subgraphs.${name}.schema.file is missing`);
    return { name, routingUrl: entry.routing_url, schemaFile: entry.schema.file };
  });
}

/** Reads `supergraph.yaml`, its schema files resolved; throws as `parseSupergraphConfig`. */
export function readSupergraphConfig(configPath: string): SupergraphSubgraph[] {
  return parseSupergraphConfig(readFileSync(configPath, 'utf8'), configPath).map((subgraph) => ({
    ...subgraph,
    schemaFile: resolve(dirname(configPath), subgraph.schemaFile),
  }));
}

export type CompositionResult =
  { ok: true; supergraphSdl: string } | { ok: false; errors: string[] };

/** A subgraph to compose: as `supergraph.yaml` names it, with its schema's text when given. */
export type SubgraphSource = SupergraphSubgraph & { schema?: string };

/**
 * Composes `subgraphs` with `@apollo/composition`, each schema read from its file unless its text
 * is given (a schema not written yet).
 */
export function composeSubgraphs(subgraphs: readonly SubgraphSource[]): CompositionResult {
  const errors: string[] = [];
  const services = subgraphs.flatMap((subgraph) => {
    try {
      return [
        {
          name: subgraph.name,
          url: subgraph.routingUrl,
          typeDefs: parse(subgraph.schema ?? readFileSync(subgraph.schemaFile, 'utf8')),
        },
      ];
    } catch (error) {
      errors.push(`[${subgraph.name}] ${subgraph.schemaFile}: ${(error as Error).message}`);
      return [];
    }
  });
  if (errors.length > 0) return { ok: false, errors };
  const result = composeServices(services);
  if (result.errors) {
    return { ok: false, errors: result.errors.map((error) => error.message) };
  }
  return { ok: true, supergraphSdl: result.supergraphSdl };
}

/** Composes the subgraphs named in `supergraph.yaml`. */
export function composeSupergraph(configPath: string): CompositionResult {
  return composeSubgraphs(readSupergraphConfig(configPath));
}
