import {
  GraphQLError,
  Kind,
  type FragmentDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';

/**
 * Counts the fields an operation selects on its root type, aliases included, looking through
 * fragment spreads and inline fragments (each fragment at most once, so cycles end).
 */
function countRootFields(
  selectionSet: SelectionSetNode,
  fragment: (name: string) => FragmentDefinitionNode | null | undefined,
  seen: Set<string>,
): number {
  let count = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) count += 1;
    else if (selection.kind === Kind.INLINE_FRAGMENT) {
      count += countRootFields(selection.selectionSet, fragment, seen);
    } else if (!seen.has(selection.name.value)) {
      seen.add(selection.name.value);
      const definition = fragment(selection.name.value);
      if (definition) count += countRootFields(definition.selectionSet, fragment, seen);
    }
  }
  return count;
}

/**
 * A validation rule that refuses an operation with more than `max` root fields. Each root field
 * is a separate resolver call (and often a separate subgraph fetch), so aliasing one field many
 * times at the root multiplies work, as with aliased `login` attempts. Reported as
 * "Root field limit of 20 exceeded, found 21."
 */
export function maxRootFieldsRule(max: number): ValidationRule {
  return (context: ValidationContext) => ({
    OperationDefinition(node) {
      const found = countRootFields(
        node.selectionSet,
        (name) => context.getFragment(name),
        new Set(),
      );
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
