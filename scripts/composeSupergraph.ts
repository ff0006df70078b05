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

/** Reads `supergraph.yaml`; throws with the offending key named when it is malformed. */
export function readSupergraphConfig(configPath: string): SupergraphSubgraph[] {
  const doc = parseYaml(readFileSync(configPath, 'utf8')) as {
    subgraphs?: Record<string, { routing_url?: string; schema?: { file?: string } }>;
  };
  if (!doc?.subgraphs || typeof doc.subgraphs !== 'object') {
    throw new Error(`${configPath}: expected a "subgraphs" map`);
  }
  return Object.entries(doc.subgraphs).map(([name, entry]) => {
    if (!entry?.routing_url)
      throw new Error(`${configPath}: subgraphs.${name}.routing_url is missing`);
    if (!entry.schema?.file)
      throw new Error(`${configPath}: subgraphs.${name}.schema.file is missing`);
    return {
      name,
      routingUrl: entry.routing_url,
      schemaFile: resolve(dirname(configPath), entry.schema.file),
    };
  });
}

export type CompositionResult =
  { ok: true; supergraphSdl: string } | { ok: false; errors: string[] };

/** Composes the subgraphs named in `supergraph.yaml` with `@apollo/composition`. */
export function composeSupergraph(configPath: string): CompositionResult {
  const subgraphs = readSupergraphConfig(configPath);
  const errors: string[] = [];
  const services = subgraphs.flatMap((subgraph) => {
    try {
      return [
        {
          name: subgraph.name,
          url: subgraph.routingUrl,
          typeDefs: parse(readFileSync(subgraph.schemaFile, 'utf8')),
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
