import {
  getNamedType,
  getNullableType,
  isCompositeType,
  isListType,
  type DocumentNode,
  type GraphQLSchema,
} from 'graphql';
import { getComplexity, type ComplexityEstimator } from 'graphql-query-complexity';
import type { CostDirectives } from './costDirectives';

export interface CostOptions {
  /** The schema the operation was validated against (the API schema). */
  schema: GraphQLSchema;
  document: DocumentNode;
  operationName?: string | null;
  /** The request's variables, so that `limit: $n` counts as the value sent. */
  variables?: Record<string, unknown>;
  /** `@listSize` and `@cost` from the supergraph. */
  directives: CostDirectives;
  /** Items assumed for a list field without `@listSize` (or whose slicing argument is null). */
  defaultListSize: number;
}

function isIntrospection(typeName: string, fieldName: string): boolean {
  return typeName.startsWith('__') || fieldName.startsWith('__');
}

/**
 * The most items a list field can return in this operation: the largest slicing argument
 * (`limit`, its default included, variables resolved), else `assumedSize`, else the default.
 */
function listSizeOf(
  coordinate: string,
  args: Record<string, unknown>,
  options: CostOptions,
): number {
  const declared = options.directives.listSizes.get(coordinate);
  const sliced = (declared?.slicingArguments ?? [])
    .map((name) => args[name])
    .filter((value): value is number => typeof value === 'number');
  if (sliced.length > 0) return Math.max(0, ...sliced);
  return declared?.assumedSize ?? options.defaultListSize;
}

/**
 * The estimated cost of an operation, after the demand-control model Apollo's router uses:
 * every object (or interface, union) a field returns costs 1, scalars and enums 0, a type's or
 * field's `@cost(weight:)` replaces that, and a list multiplies its items' cost, children
 * included, by its size (see `listSizeOf`). Fields under `@skip`/`@include` count only when they
 * would run; of the fragments on an abstract type, the most expensive type counts. Introspection
 * costs nothing: the gateway answers it without calling a subgraph.
 *
 * Throws a `GraphQLError` when the variables do not fit the operation or the operation has more
 * than 10 000 field evaluations (fragments spread many times).
 */
export function costOf(options: CostOptions): number {
  const estimator: ComplexityEstimator = ({ type, field, args, childComplexity }) => {
    if (isIntrospection(type.name, field.name)) return 0;
    const coordinate = `${type.name}.${field.name}`;
    const named = getNamedType(field.type);
    const weight =
      options.directives.weights.get(coordinate) ??
      options.directives.weights.get(named.name) ??
      (isCompositeType(named) ? 1 : 0);
    const size = isListType(getNullableType(field.type))
      ? listSizeOf(coordinate, args, options)
      : 1;
    return size * (weight + childComplexity);
  };
  return getComplexity({
    estimators: [estimator],
    schema: options.schema,
    query: options.document,
    variables: options.variables,
    operationName: options.operationName ?? undefined,
  });
}
