import type { QueryPlanSelectionNode } from '@apollo/query-planner';
import { mergeInto } from './mergeInto';
import type { SupergraphTypes } from './SupergraphTypes';

type Data = Record<string, unknown>;

const hasOwn = (object: object, key: string): boolean =>
  Object.prototype.hasOwnProperty.call(object, key);

/**
 * Picks the fields a fetch `requires` out of an entity fetched so far, as @apollo/gateway's
 * `executeSelectionSet` does: null when a required field is missing (its fetch failed), fragments
 * only for entities of their type.
 */
export function selectRepresentation(
  types: SupergraphTypes,
  source: Data | null,
  selections: readonly QueryPlanSelectionNode[],
): Data | null {
  if (source === null) return null;
  const result = Object.create(null) as Data;
  for (const selection of selections) {
    if (selection.kind === 'Field') {
      const name = selection.alias || selection.name;
      if (!hasOwn(source, name) || source[name] === undefined) return null;
      const value = source[name];
      const nested = selection.selections;
      if (Array.isArray(value)) {
        result[name] = value.map((element: unknown) =>
          nested ? selectRepresentation(types, element as Data | null, nested) : element,
        );
      } else if (nested) {
        result[name] = selectRepresentation(types, value as Data | null, nested);
      } else {
        result[name] = value;
      }
    } else {
      if (!selection.typeCondition) continue;
      if (types.isObjectOfType(source, selection.typeCondition, false)) {
        mergeInto(result, selectRepresentation(types, source, selection.selections));
      }
    }
  }
  return result;
}
