import { failedSubgraphsOf, normaliseAnswer } from './normaliseAnswer';
import type { GatewayAnswer } from './startDifferential';
import type { DifferentialOperation } from './types';

/** Each key of every object in `value`, in the order it was serialised, by path. */
function keyOrder(value: unknown, path = ''): string[] {
  if (Array.isArray(value))
    return value.flatMap((item, index) => keyOrder(item, `${path}.${index}`));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, item]) => [
    `${path}.${key}`,
    ...keyOrder(item, `${path}.${key}`),
  ]);
}

/**
 * Fails, naming the gateway, unless its answer equals the reference's once both are normalised
 * (`normaliseAnswer`): the HTTP status, `data` with every object's fields in the same order, and
 * `errors` (message, path, locations, extensions) in the same order. The subgraph failures the
 * answer reports must also name subgraphs the operation took down or made unavailable.
 */
export function expectSameAnswer(
  operation: DifferentialOperation,
  reference: GatewayAnswer,
  other: GatewayAnswer,
): void {
  const { gateway } = other;
  const expected = normaliseAnswer(reference.answer);
  const actual = normaliseAnswer(other.answer);
  try {
    expect({ gateway, answer: actual }).toEqual({ gateway, answer: expected });
    expect({ gateway, keyOrder: keyOrder(actual.body.data) }).toEqual({
      gateway,
      keyOrder: keyOrder(expected.body.data),
    });
    const broken = [...(operation.down ?? []), ...(operation.unavailable ?? [])];
    for (const failed of failedSubgraphsOf(other.answer)) {
      expect({ gateway, failed, broken }).toEqual({
        gateway,
        failed,
        broken: expect.arrayContaining([failed]),
      });
    }
  } catch (error) {
    // The comparison hides what normalising replaced; the answers as sent show it.
    (error as Error).message +=
      `\n\nAs sent, before normalising:\n${reference.gateway}: ${JSON.stringify(reference.answer)}\n` +
      `${gateway}: ${JSON.stringify(other.answer)}`;
    throw error;
  }
}
