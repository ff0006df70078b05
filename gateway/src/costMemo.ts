import { Kind, visit, type DocumentNode, type ValueNode } from 'graphql';
import type { CostDirectives } from './costDirectives';

/** Costs kept per document: enough for the variants of a paging UI, bounded against abuse. */
const COSTS_PER_DOCUMENT = 64;

interface DocumentCosts {
  /** The variables the cost can depend on, in a fixed order. */
  variables: readonly string[];
  /** Cost by operation name and those variables' values. */
  costs: Map<string, number>;
}

function variablesIn(value: ValueNode, into: Set<string>): void {
  switch (value.kind) {
    case Kind.VARIABLE:
      into.add(value.name.value);
      return;
    case Kind.LIST:
      for (const item of value.values) variablesIn(item, into);
      return;
    case Kind.OBJECT:
      for (const field of value.fields) variablesIn(field.value, into);
      return;
    default:
      return;
  }
}

/**
 * The variables an operation's cost (`costOf`) can read: those in any argument named as a slicing
 * argument by some `@listSize`, and in `@skip`/`@include`. Every other variable (an `offset`, an
 * `id`) leaves the cost unchanged, so requests differing only there share one estimate.
 */
export function costVariables(document: DocumentNode, directives: CostDirectives): string[] {
  const slicing = new Set<string>();
  for (const size of directives.listSizes.values()) {
    for (const name of size.slicingArguments) slicing.add(name);
  }
  const found = new Set<string>();
  visit(document, {
    Field(node) {
      for (const arg of node.arguments ?? []) {
        if (slicing.has(arg.name.value)) variablesIn(arg.value, found);
      }
    },
    Directive(node) {
      if (node.name.value !== 'skip' && node.name.value !== 'include') return;
      for (const arg of node.arguments ?? []) variablesIn(arg.value, found);
    },
  });
  return [...found].sort();
}

function keyOf(
  operationName: string | undefined,
  variables: readonly string[],
  values: Record<string, unknown>,
): string {
  let key = operationName ?? '';
  for (const name of variables) {
    const value = values[name];
    key += `\u0000${value === undefined ? '' : JSON.stringify(value)}`;
  }
  return key;
}

/**
 * Remembers operation costs per supergraph (its cost directives) and parsed document, keyed by the
 * operation name and the values of the variables the cost depends on (`costVariables`). Apollo
 * Server hands the same `DocumentNode` to every request with the same text, so a repeated
 * operation is estimated once per distinct value of its cost variables; a new supergraph starts
 * over, since its directives are a new object. An estimate of `undefined` (variables that do not
 * fit the operation) is not remembered.
 */
export function createCostMemo() {
  const bySupergraph = new WeakMap<CostDirectives, WeakMap<DocumentNode, DocumentCosts>>();
  return {
    cost(
      directives: CostDirectives,
      document: DocumentNode,
      operationName: string | undefined,
      variables: Record<string, unknown>,
      estimate: () => number | undefined,
    ): number | undefined {
      let byDocument = bySupergraph.get(directives);
      if (!byDocument) {
        byDocument = new WeakMap();
        bySupergraph.set(directives, byDocument);
      }
      let entry = byDocument.get(document);
      if (!entry) {
        entry = { variables: costVariables(document, directives), costs: new Map() };
        byDocument.set(document, entry);
      }
      const key = keyOf(operationName, entry.variables, variables);
      const known = entry.costs.get(key);
      if (known !== undefined) return known;
      const cost = estimate();
      if (cost === undefined) return undefined;
      if (entry.costs.size >= COSTS_PER_DOCUMENT) {
        entry.costs.delete(entry.costs.keys().next().value as string);
      }
      entry.costs.set(key, cost);
      return cost;
    },
  };
}
