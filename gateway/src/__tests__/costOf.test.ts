import { composeServices } from '@apollo/composition';
import { parse, type GraphQLSchema } from 'graphql';
import { costDirectivesOf, NO_COST_DIRECTIVES, type CostDirectives } from '../costDirectives';
import { costOf } from '../costOf';
import { costVariables, createCostMemo } from '../costMemo';

const SHOP_SDL = `
extend schema
  @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
  @link(url: "https://specs.apollo.dev/cost/v0.1", import: ["@cost", "@listSize"])

interface Named { name: String! }
type Supplier implements Named @key(fields: "id") {
  id: ID!
  name: String!
  owner: Owner
  products(limit: Int = 20, first: Int): [Product!]!
    @listSize(slicingArguments: ["limit", "first"], assumedSize: 50, requireOneSlicingArgument: false)
  tags: [String!]!
}
type Owner @key(fields: "id") {
  id: ID!
  suppliers(limit: Int = 20): [Supplier!]
    @listSize(slicingArguments: ["limit"], assumedSize: 100, requireOneSlicingArgument: false)
}
type Product implements Named @cost(weight: 3) {
  name: String!
  heavy: String @cost(weight: 7)
}
type Query {
  suppliers(limit: Int = 20, offset: Int = 0): [Supplier!]!
    @listSize(slicingArguments: ["limit"], assumedSize: 100, requireOneSlicingArgument: false)
  unpaged: [Supplier!]!
  everything: [Named!]! @listSize(assumedSize: 10)
  supplier(id: ID!): Supplier
}
`;

function compose(sdl: string): { supergraphSdl: string; schema: GraphQLSchema } {
  const result = composeServices([
    { name: 'shop', url: 'http://shop.invalid/graphql', typeDefs: parse(sdl) },
  ]);
  if (result.errors) throw new Error(result.errors.map((error) => error.message).join('\n'));
  return {
    supergraphSdl: result.supergraphSdl,
    schema: result.schema.toAPISchema().toGraphQLJSSchema(),
  };
}

const shop = compose(SHOP_SDL);
const directives = costDirectivesOf(shop.supergraphSdl);

function cost(
  query: string,
  variables: Record<string, unknown> = {},
  using: CostDirectives = directives,
): number {
  return costOf({
    schema: shop.schema,
    document: parse(query),
    variables,
    directives: using,
    defaultListSize: 100,
  });
}

describe('costDirectivesOf', () => {
  it('reads @listSize and @cost from the composed supergraph', () => {
    expect(directives.listSizes.get('Query.suppliers')).toEqual({
      assumedSize: 100,
      slicingArguments: ['limit'],
    });
    expect(directives.listSizes.get('Supplier.products')).toEqual({
      assumedSize: 50,
      slicingArguments: ['limit', 'first'],
    });
    expect(directives.listSizes.get('Query.everything')).toEqual({
      assumedSize: 10,
      slicingArguments: [],
    });
    expect(directives.listSizes.has('Query.unpaged')).toBe(false);
    expect(directives.weights.get('Product')).toBe(3);
    expect(directives.weights.get('Product.heavy')).toBe(7);
  });

  it('finds the directives under the names the link gives them', () => {
    const sdl = (link: string, listSize: string) => `
      schema @link(url: "https://specs.apollo.dev/link/v1.0") ${link} { query: Query }
      type Query { things(limit: Int): [Int] @${listSize}(slicingArguments: ["limit"]) }`;
    const renamed = costDirectivesOf(
      sdl(
        '@link(url: "https://specs.apollo.dev/cost/v0.1", import: [{ name: "@listSize", as: "@size" }])',
        'size',
      ),
    );
    expect(renamed.listSizes.get('Query.things')?.slicingArguments).toEqual(['limit']);
    const namespaced = costDirectivesOf(
      sdl('@link(url: "https://specs.apollo.dev/cost/v0.1", as: "demand")', 'demand__listSize'),
    );
    expect(namespaced.listSizes.get('Query.things')?.slicingArguments).toEqual(['limit']);
    // The same directive without the cost link is someone else's: not read.
    expect(costDirectivesOf(sdl('', 'listSize'))).toBe(NO_COST_DIRECTIVES);
  });
});

describe('costOf', () => {
  it('multiplies nested lists by their limit, the default limit when none is given', () => {
    expect(cost('{ suppliers(limit: 5) { id } }')).toBe(5);
    expect(cost('{ suppliers { id } }')).toBe(20);
    // 10 suppliers, each 1 + its owner (1) + 4 owner suppliers of 1 each.
    expect(cost('{ suppliers(limit: 10) { owner { suppliers(limit: 4) { id } } } }')).toBe(60);
  });

  it('prices the fan-out of nested lists: 20^5 suppliers', () => {
    let selection = 'id';
    for (let level = 0; level < 4; level += 1) {
      selection = `id owner { suppliers(limit: 20) { ${selection} } }`;
    }
    const query = `{ suppliers(limit: 20) { ${selection} } }`;
    // Level by level: 20, 20·(2 + 20) = 440, 20·(2 + 440) = 8840, …
    expect(cost(query)).toBe(3_536_840);
  });

  it('resolves the limit from variables, their defaults included', () => {
    const query = 'query($n: Int) { suppliers(limit: $n) { id } }';
    expect(cost(query, { n: 3 })).toBe(3);
    expect(cost('query($n: Int = 7) { suppliers(limit: $n) { id } }')).toBe(7);
    // Explicitly null: no slicing value, so the declared assumed size.
    expect(cost(query, { n: null })).toBe(100);
  });

  it('takes the largest of several slicing arguments', () => {
    expect(cost('{ supplier(id: "1") { products(limit: 2, first: 9) { name } } }')).toBe(1 + 9 * 3);
  });

  it('uses the assumed size, else the default, for lists without a slicing value', () => {
    expect(cost('{ everything { name } }')).toBe(10);
    expect(cost('{ unpaged { id } }')).toBe(100);
    // A supergraph without the cost directives: every list at the default size, limit or not.
    expect(cost('{ suppliers(limit: 2) { id } }', {}, NO_COST_DIRECTIVES)).toBe(100);
  });

  it('applies @cost weights of types and fields; scalars cost nothing', () => {
    expect(cost('{ supplier(id: "1") { products(limit: 2) { name } } }')).toBe(1 + 2 * 3);
    expect(cost('{ supplier(id: "1") { products(limit: 2) { heavy } } }')).toBe(1 + 2 * 10);
    expect(cost('{ supplier(id: "1") { tags name } }')).toBe(1);
  });

  it('counts the most expensive type of an abstract list', () => {
    // Each item: the interface (1) plus the dearer of Supplier's owner (1) and Product's heavy (7).
    expect(
      cost('{ everything { ... on Supplier { owner { id } } ... on Product { heavy } } }'),
    ).toBe(10 * (1 + 7));
  });

  it('counts fragments, and skipped fields only when they run', () => {
    const query = `query($skip: Boolean!) {
      suppliers(limit: 10) { ...F owner @skip(if: $skip) { id } }
    } fragment F on Supplier { products(limit: 2) { name } }`;
    expect(cost(query, { skip: true })).toBe(10 * (1 + 6));
    expect(cost(query, { skip: false })).toBe(10 * (1 + 6 + 1));
  });

  it('prices introspection at zero: the gateway answers it itself', () => {
    expect(cost('{ __schema { types { name fields { name args { name } } } } }')).toBe(0);
    expect(cost('{ __typename suppliers(limit: 1) { __typename } }')).toBe(1);
  });

  it('throws on variables that do not fit the operation', () => {
    expect(() => cost('query($n: Int!) { suppliers(limit: $n) { id } }', {})).toThrow(
      /Variable "\$n"/,
    );
  });
});

describe('createCostMemo', () => {
  const PAGED = `query Paged($n: Int, $offset: Int, $withOwner: Boolean!) {
    suppliers(limit: $n, offset: $offset) { id owner @include(if: $withOwner) { id } }
  }`;

  function memoized() {
    const memo = createCostMemo();
    const document = parse(PAGED);
    let estimates = 0;
    const costFor = (
      variables: Record<string, unknown>,
      using: CostDirectives = directives,
    ): number | undefined =>
      memo.cost(using, document, 'Paged', variables, () => {
        estimates += 1;
        return costOf({
          schema: shop.schema,
          document,
          operationName: 'Paged',
          variables,
          directives: using,
          defaultListSize: 100,
        });
      });
    return { costFor, estimates: () => estimates };
  }

  it('depends only on slicing arguments and @skip/@include', () => {
    expect(costVariables(parse(PAGED), directives)).toEqual(['n', 'withOwner']);
    expect(costVariables(parse(PAGED), NO_COST_DIRECTIVES)).toEqual(['withOwner']);
  });

  it('estimates once for requests that differ only in other variables', () => {
    const { costFor, estimates } = memoized();
    const first = costFor({ n: 5, offset: 0, withOwner: false });
    expect(costFor({ n: 5, offset: 10, withOwner: false })).toBe(first);
    expect(costFor({ n: 5, offset: 20, withOwner: false })).toBe(first);
    expect(estimates()).toBe(1);
    expect(first).toBe(cost(PAGED, { n: 5, offset: 0, withOwner: false }));
  });

  it('estimates again when a cost variable changes, so a bigger page is not let through', () => {
    const { costFor, estimates } = memoized();
    const small = costFor({ n: 5, withOwner: false });
    const big = costFor({ n: 50000, withOwner: false });
    const withOwner = costFor({ n: 5, withOwner: true });
    expect(estimates()).toBe(3);
    expect(big).toBe(cost(PAGED, { n: 50000, withOwner: false }));
    expect(big).toBeGreaterThan(Number(small));
    expect(withOwner).toBeGreaterThan(Number(small));
    // A missing variable takes the argument's default; an explicit null does not.
    const missing = costFor({ withOwner: false });
    const nulled = costFor({ n: null, withOwner: false });
    expect(missing).toBe(cost(PAGED, { withOwner: false }));
    expect(nulled).toBe(cost(PAGED, { n: null, withOwner: false }));
    expect(estimates()).toBe(5);
  });

  it('does not remember an estimate refused for variables that do not fit', () => {
    const memo = createCostMemo();
    const document = parse(PAGED);
    let estimates = 0;
    const refuse = () => {
      estimates += 1;
      return undefined;
    };
    expect(memo.cost(directives, document, 'Paged', { n: 'five' }, refuse)).toBeUndefined();
    expect(memo.cost(directives, document, 'Paged', { n: 'five' }, refuse)).toBeUndefined();
    expect(estimates).toBe(2);
  });

  it('starts over for a new supergraph', () => {
    const { costFor, estimates } = memoized();
    costFor({ n: 5, withOwner: false });
    const reloaded = costDirectivesOf(shop.supergraphSdl);
    costFor({ n: 5, withOwner: false }, reloaded);
    expect(estimates()).toBe(2);
  });

  it('keeps a bounded number of costs per document', () => {
    const { costFor, estimates } = memoized();
    for (let n = 1; n <= 65; n += 1) costFor({ n, withOwner: false });
    costFor({ n: 65, withOwner: false });
    expect(estimates()).toBe(65);
    costFor({ n: 1, withOwner: false });
    expect(estimates()).toBe(66);
  });
});
