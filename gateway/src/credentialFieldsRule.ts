import {
  GraphQLError,
  Kind,
  type FieldNode,
  type FragmentDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';

/**
 * The root fields of a selection set whose name is in `names`, by response key (alias, else
 * name), looking through inline fragments and fragment spreads (each fragment once, so cycles
 * end). Fields with the same response key are merged into one call by GraphQL, so they count once.
 */
function collectCredentialFields(
  selectionSet: SelectionSetNode,
  names: ReadonlySet<string>,
  fragment: (name: string) => FragmentDefinitionNode | null | undefined,
  found: Map<string, FieldNode>,
  seenFragments: Set<string>,
): Map<string, FieldNode> {
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      const key = (selection.alias ?? selection.name).value;
      if (names.has(selection.name.value) && !found.has(key)) found.set(key, selection);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      collectCredentialFields(selection.selectionSet, names, fragment, found, seenFragments);
    } else if (!seenFragments.has(selection.name.value)) {
      seenFragments.add(selection.name.value);
      const definition = fragment(selection.name.value);
      if (definition) {
        collectCredentialFields(definition.selectionSet, names, fragment, found, seenFragments);
      }
    }
  }
  return found;
}

/** "login, register or refreshToken" */
function listed(names: readonly string[]): string {
  return names.length < 2
    ? names.join('')
    : `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`;
}

/**
 * A validation rule that refuses a mutation holding more than one of the root fields named in
 * `fields` (`CREDENTIAL_FIELDS`, default `login`, `register` and `refreshToken`), counted by
 * response key, so aliases count, and fields reached through fragments on the mutation type count
 * too. The gateway splits a mutation into one subgraph fetch per run of fields owned by the same
 * subgraph, so credential fields interleaved with another subgraph's mutations would reach the
 * owning subgraph in several fetches, each checking a password or creating an account; refusing
 * them here stops that before anything is planned. Reported as "An operation may hold at most one
 * login, register or refreshToken field, found 2: login, second: login."
 */
export function credentialFieldsRule(fields: readonly string[]): ValidationRule {
  const names = new Set(fields);
  return (context: ValidationContext) => ({
    OperationDefinition(node) {
      if (node.operation !== 'mutation' || names.size === 0) return;
      const found = collectCredentialFields(
        node.selectionSet,
        names,
        (name) => context.getFragment(name),
        new Map(),
        new Set(),
      );
      if (found.size <= 1) return;
      const described = [...found].map(([key, field]) =>
        key === field.name.value ? key : `${key}: ${field.name.value}`,
      );
      context.reportError(
        new GraphQLError(
          `An operation may hold at most one ${listed(fields)} field, found ${found.size}: ${described.join(', ')}.`,
          { nodes: [...found.values()] },
        ),
      );
    },
  });
}
