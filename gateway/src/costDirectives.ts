import { Kind, parse, type ArgumentNode, type DirectiveNode, type ValueNode } from 'graphql';

/** A field's `@listSize`, as composed into the supergraph. */
export interface ListSize {
  /** Used when no slicing argument has a value. */
  assumedSize?: number;
  /** Arguments whose value is the number of items returned, e.g. `["limit"]`. */
  slicingArguments: string[];
}

/**
 * The demand-control directives of a supergraph (`https://specs.apollo.dev/cost/v0.1`), by
 * coordinate: `@listSize` on fields (`"Query.suppliers"`), `@cost(weight:)` on fields and on
 * types (`"Supplier"`). Argument and input-field weights are not read.
 */
export interface CostDirectives {
  listSizes: ReadonlyMap<string, ListSize>;
  weights: ReadonlyMap<string, number>;
}

/** No directives: every list has the default size, every object weighs 1. */
export const NO_COST_DIRECTIVES: CostDirectives = { listSizes: new Map(), weights: new Map() };

const COST_SPEC = /^https:\/\/specs\.apollo\.dev\/cost\/v0\.\d+$/;

function argument(node: { arguments?: readonly ArgumentNode[] }, name: string) {
  return node.arguments?.find((arg) => arg.name.value === name)?.value;
}

function intOf(value: ValueNode | undefined): number | undefined {
  return value?.kind === Kind.INT ? Number(value.value) : undefined;
}

function stringsOf(value: ValueNode | undefined): string[] {
  if (value?.kind === Kind.STRING) return [value.value];
  if (value?.kind !== Kind.LIST) return [];
  return value.values.flatMap((item) => (item.kind === Kind.STRING ? [item.value] : []));
}

/** A `@link` import: `"@listSize"` or `{ name: "@listSize", as: "@size" }`. */
function importOf(entry: ValueNode): { name?: string; as?: string } {
  if (entry.kind === Kind.STRING) return { name: entry.value };
  if (entry.kind !== Kind.OBJECT) return {};
  const field = (key: string) =>
    stringsOf(entry.fields.find((item) => item.name.value === key)?.value)[0];
  return { name: field('name'), as: field('as') };
}

/**
 * The names the supergraph gives `@cost` and `@listSize`: as imported (possibly renamed with
 * `as`), else namespaced by the link (`@cost__listSize`), as the core-schema spec defines.
 */
function directiveNames(links: readonly DirectiveNode[]): { cost?: string; listSize?: string } {
  for (const link of links) {
    const url = argument(link, 'url');
    if (url?.kind !== Kind.STRING || !COST_SPEC.test(url.value)) continue;
    const alias = argument(link, 'as');
    const prefix = alias?.kind === Kind.STRING ? alias.value : 'cost';
    const names = { cost: prefix, listSize: `${prefix}__listSize` };
    const imports = argument(link, 'import');
    for (const entry of imports?.kind === Kind.LIST ? imports.values : []) {
      const { name, as } = importOf(entry);
      if (name === '@cost') names.cost = (as ?? name).slice(1);
      if (name === '@listSize') names.listSize = (as ?? name).slice(1);
    }
    return names;
  }
  return {};
}

/**
 * Reads the cost directives from a composed supergraph's SDL. A supergraph that does not link
 * the cost spec has none (every list then counts at the default size).
 */
export function costDirectivesOf(supergraphSdl: string): CostDirectives {
  const document = parse(supergraphSdl);
  const links = document.definitions.flatMap((definition) =>
    definition.kind === Kind.SCHEMA_DEFINITION || definition.kind === Kind.SCHEMA_EXTENSION
      ? (definition.directives ?? []).filter((directive) => directive.name.value === 'link')
      : [],
  );
  const names = directiveNames(links);
  if (!names.cost && !names.listSize) return NO_COST_DIRECTIVES;

  const listSizes = new Map<string, ListSize>();
  const weights = new Map<string, number>();
  const weightOf = (directives: readonly DirectiveNode[] | undefined) =>
    intOf(argument(directives?.find((d) => d.name.value === names.cost) ?? {}, 'weight'));

  for (const definition of document.definitions) {
    if (!('name' in definition) || !definition.name || !('directives' in definition)) continue;
    const typeName = definition.name.value;
    const typeWeight = weightOf(definition.directives);
    if (typeWeight !== undefined) weights.set(typeName, typeWeight);
    if (
      definition.kind !== Kind.OBJECT_TYPE_DEFINITION &&
      definition.kind !== Kind.OBJECT_TYPE_EXTENSION &&
      definition.kind !== Kind.INTERFACE_TYPE_DEFINITION &&
      definition.kind !== Kind.INTERFACE_TYPE_EXTENSION
    ) {
      continue;
    }
    for (const field of definition.fields ?? []) {
      const coordinate = `${typeName}.${field.name.value}`;
      const fieldWeight = weightOf(field.directives);
      if (fieldWeight !== undefined) weights.set(coordinate, fieldWeight);
      const listSize = field.directives?.find((d) => d.name.value === names.listSize);
      if (!listSize) continue;
      const assumedSize = intOf(argument(listSize, 'assumedSize'));
      listSizes.set(coordinate, {
        ...(assumedSize === undefined ? {} : { assumedSize }),
        slicingArguments: stringsOf(argument(listSize, 'slicingArguments')),
      });
    }
  }
  return { listSizes, weights };
}
