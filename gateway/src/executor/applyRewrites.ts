import type { FetchDataRewrite } from '@apollo/query-planner';
import type { SupergraphTypes } from './SupergraphTypes';

type Data = Record<string, unknown>;

const FRAGMENT_PREFIX = '... on ';

const ownValue = (object: Data, key: string): unknown =>
  Object.prototype.hasOwnProperty.call(object, key) ? object[key] : undefined;

function defineOwn(object: Data, key: string): void {
  if (!Object.prototype.hasOwnProperty.call(object, key) && key in object) {
    Object.defineProperty(object, key, {
      configurable: true,
      enumerable: true,
      value: undefined,
      writable: true,
    });
  }
}

function applyAt(
  types: SupergraphTypes,
  path: readonly string[],
  index: number,
  value: unknown,
  apply: (object: Data) => void,
): void {
  if (Array.isArray(value)) {
    for (const element of value) applyAt(types, path, index, element, apply);
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  const object = value as Data;
  if (index === path.length) {
    apply(object);
    return;
  }
  const element = path[index]!;
  if (element.startsWith(FRAGMENT_PREFIX)) {
    // Objects without a __typename are rewritten: the rewrite cannot tell them apart.
    if (types.isObjectOfType(object, element.slice(FRAGMENT_PREFIX.length), true)) {
      applyAt(types, path, index + 1, object, apply);
    }
  } else {
    applyAt(types, path, index + 1, ownValue(object, element), apply);
  }
}

/**
 * Applies a fetch's input or output rewrites to `value` in place, as @apollo/gateway does: a
 * `ValueSetter` sets the key at the end of its path, a `KeyRenamer` moves it to another key; path
 * elements `... on T` only match objects of type T.
 */
export function applyRewrites(
  types: SupergraphTypes,
  rewrites: readonly FetchDataRewrite[] | undefined,
  value: unknown,
): void {
  if (!rewrites) return;
  for (const rewrite of rewrites) {
    const last = rewrite.path.length - 1;
    if (last < 0) continue;
    const key = rewrite.path[last]!;
    if (key.startsWith(FRAGMENT_PREFIX)) {
      throw new Error(`Unexpected fragment as last element of ${rewrite.path.join(',')}`);
    }
    const parentPath = rewrite.path.slice(0, last);
    if (rewrite.kind === 'ValueSetter') {
      applyAt(types, parentPath, 0, value, (object) => {
        defineOwn(object, key);
        object[key] = rewrite.setValueTo;
      });
    } else {
      applyAt(types, parentPath, 0, value, (object) => {
        const moved = ownValue(object, key);
        if (moved) {
          defineOwn(object, rewrite.renameKeyTo);
          object[rewrite.renameKeyTo] = moved;
          object[key] = undefined;
        }
      });
    }
  }
}
