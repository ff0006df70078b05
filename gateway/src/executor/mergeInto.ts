type Data = Record<string, unknown>;

const hasOwn = (object: object, key: string): boolean =>
  Object.prototype.hasOwnProperty.call(object, key);

const isObject = (value: unknown): value is Data =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Merges a subgraph's answer into the data fetched so far, in place, as @apollo/gateway's
 * `deepMerge` does: objects merge key by key, lists of equal length element by element, anything
 * else replaces. Keys the answer leaves undefined are skipped; a key inherited by every object
 * (`__proto__`, `constructor`) becomes an own property instead of reaching the prototype.
 */
export function mergeInto(target: unknown, source: unknown): void {
  if (source === undefined || source === null) return;
  const into = target as Data;
  const from = source as Data;
  for (const key of Object.keys(from)) {
    const value = from[key];
    if (value === undefined) continue;
    if (key in Object.prototype && !hasOwn(into, key)) {
      Object.defineProperty(into, key, {
        configurable: true,
        enumerable: true,
        value: undefined,
        writable: true,
      });
    }
    const existing = into[key];
    if (existing && isObject(value)) {
      mergeInto(existing, value);
    } else if (
      Array.isArray(value) &&
      Array.isArray(existing) &&
      value.length === existing.length
    ) {
      for (let index = 0; index < value.length; index += 1) {
        const element: unknown = value[index];
        if (isObject(existing[index]) && isObject(element)) {
          mergeInto(existing[index], element);
        } else {
          existing[index] = element;
        }
      }
    } else {
      into[key] = value;
    }
  }
}
