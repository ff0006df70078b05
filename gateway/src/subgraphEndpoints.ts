import { Kind, parse, type ConstValueNode } from 'graphql';

/** A subgraph as the supergraph names it: its name and routing URL. */
export interface SubgraphEndpoint {
  name: string;
  url: string;
}

function stringValue(value: ConstValueNode | undefined): string | undefined {
  return value?.kind === Kind.STRING ? value.value : undefined;
}

/**
 * Lists the subgraphs of a composed supergraph from its `join__Graph` enum, whose values carry
 * `@join__graph(name:, url:)`. Throws when the SDL does not parse or names no subgraph.
 */
export function subgraphEndpointsOf(supergraphSdl: string): SubgraphEndpoint[] {
  const document = parse(supergraphSdl, { noLocation: true });
  const endpoints: SubgraphEndpoint[] = [];
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.ENUM_TYPE_DEFINITION || definition.name.value !== 'join__Graph') {
      continue;
    }
    for (const value of definition.values ?? []) {
      const directive = value.directives?.find((d) => d.name.value === 'join__graph');
      const argument = (name: string) =>
        stringValue(directive?.arguments?.find((a) => a.name.value === name)?.value);
      const name = argument('name');
      if (name === undefined) continue;
      endpoints.push({ name, url: argument('url') ?? '' });
    }
  }
  if (endpoints.length === 0) {
    throw new Error('expected a composed supergraph with a join__Graph enum naming its subgraphs');
  }
  return endpoints;
}
