import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { NEUTRAL_SUBGRAPHS } from './neutralSubgraphs';

/**
 * The neutral subgraphs' supergraph SDL, composed in memory with `@apollo/composition`, routing
 * each subgraph to `urls[name]`. Throws with composition's own messages if it fails.
 */
export function composeNeutralSupergraph(urls: Record<string, string>): string {
  const result = composeServices(
    NEUTRAL_SUBGRAPHS.map((subgraph) => {
      const url = urls[subgraph.name];
      if (!url) throw new Error(`no URL for neutral subgraph "${subgraph.name}"`);
      return { name: subgraph.name, url, typeDefs: parse(subgraph.typeDefs) };
    }),
  );
  if (result.errors) {
    throw new Error(
      `neutral supergraph does not compose: ${result.errors.map((e) => e.message).join('; ')}`,
    );
  }
  return result.supergraphSdl;
}
