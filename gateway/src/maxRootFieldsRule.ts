import {
  GraphQLError,
  Kind,
  type FragmentDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';

/**
 * Collects the response keys (alias, else field name) an operation selects on its root type,
 * looking through fragment spreads and inline fragments (each fragment once, so cycles end).
 * Fields with the same key are merged into one by GraphQL, so they count once.
 */
function collectRootKeys(
  selectionSet: SelectionSetNode,
  fragment: (name: string) => FragmentDefinitionNode | null | undefined,
  keys: Set<string>,
  seenFragments: Set<string>,
): Set<string> {
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) keys.add((selection.alias ?? selection.name).value);
    else if (selection.kind === Kind.INLINE_FRAGMENT) {
      collectRootKeys(selection.selectionSet, fragment, keys, seenFragments);
    } else if (!seenFragments.has(selection.name.value)) {
      seenFragments.add(selection.name.value);
      const definition = fragment(selection.name.value);
      if (definition) collectRootKeys(definition.selectionSet, fragment, keys, seenFragments);
    }
  }
  return keys;
}

/**
 * A validation rule that refuses an operation with more than `max` root fields (counted by
 * response key, so aliases count and exact repeats do not). Each root field is a separate
 * resolver call (and often a separate subgraph fetch), so aliasing one field many
 * times at the root multiplies work, as with aliased `login` attempts. Reported as
 * "Root field limit of 20 exceeded, found 21."
 */
export function maxRootFieldsRule(max: number): ValidationRule {
  return (context: ValidationContext) => ({
    OperationDefinition(node) {
      const found = collectRootKeys(
        node.selectionSet,
        (name) => context.getFragment(name),
        new Set(),
        new Set(),
      ).size;
      if (found > max) {
        context.reportError(
          new GraphQLError(`Root field limit of ${max} exceeded, found ${found}.`, {
            nodes: [node],
          }),
        );
      }
    },
  });
}
