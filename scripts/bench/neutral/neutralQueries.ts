import {
  authorOfReview,
  inStockOf,
  pageOf,
  PRODUCT_COUNT,
  productOf,
  productOfReview,
  reviewIdsOfProduct,
  reviewIdsOfUser,
  reviewOf,
  shippingEstimateOf,
  USER_COUNT,
  userOf,
} from './neutralData';

/** A query of the neutral bench and the answer every gateway must give for its variables. */
export interface NeutralQuery {
  name: 'deep' | 'heavy';
  query: string;
  /** Entities asked for at the root (`first`); `offset` varies per request in the distinct shape. */
  first: number;
  /** The largest `offset` that still returns `first` entities. */
  maxOffset: number;
  /** `data` for `offset`, built from the subgraphs' data functions. */
  expectedData(offset: number): unknown;
}

const userFields = (u: number) => {
  const user = userOf(u);
  return { id: user.id, username: user.username, name: user.name };
};
const reviewFields = (r: number) => reviewOf(r);
const productFields = (p: number) => {
  const product = productOf(p);
  return {
    inStock: inStockOf(p),
    name: product.name,
    price: product.price,
    shippingEstimate: shippingEstimateOf(product.price, product.weight),
    upc: product.upc,
    weight: product.weight,
  };
};

/** `{ ...Review author { ...User reviews { ...Review product { ...Product } } } }` */
const reviewWithAuthor = (r: number) => ({
  ...reviewFields(r),
  author: {
    ...userFields(authorOfReview(r)),
    reviews: reviewIdsOfUser(authorOfReview(r)).map((r2) => ({
      ...reviewFields(r2),
      product: productFields(productOfReview(r2)),
    })),
  },
});

/**
 * Four subgraph fetches in sequence: users (accounts), their reviews (reviews), the reviewed
 * products (products), and their shipping estimates (inventory, `@requires` price and weight).
 */
export const DEEP_QUERY: NeutralQuery = {
  name: 'deep',
  query: `query Deep($first: Int!, $offset: Int!) {
  users(first: $first, offset: $offset) {
    id
    name
    username
    reviews {
      id
      body
      product { upc name price weight shippingEstimate }
    }
  }
}`,
  first: 5,
  maxOffset: USER_COUNT - 5,
  expectedData: (offset) => ({
    users: pageOf(5, offset, USER_COUNT).map((u) => {
      const user = userOf(u);
      return {
        id: user.id,
        name: user.name,
        username: user.username,
        reviews: reviewIdsOfUser(u).map((r) => {
          const product = productOf(productOfReview(r));
          return {
            ...reviewFields(r),
            product: {
              upc: product.upc,
              name: product.name,
              price: product.price,
              weight: product.weight,
              shippingEstimate: shippingEstimateOf(product.price, product.weight),
            },
          };
        }),
      };
    }),
  }),
};

const HEAVY_FIRST = 6;

/**
 * The public federation benchmark's query shape: users and top products, each with reviews,
 * authors and their reviews' products, nested three entity hops deep (~80 KB answered).
 */
export const HEAVY_QUERY: NeutralQuery = {
  name: 'heavy',
  query: `fragment User on User { id username name }
fragment Review on Review { id body }
fragment Product on Product { inStock name price shippingEstimate upc weight }
query Heavy($first: Int!, $offset: Int!) {
  users(first: $first, offset: $offset) {
    ...User
    reviews {
      ...Review
      product {
        ...Product
        reviews { ...Review author { ...User reviews { ...Review product { ...Product } } } }
      }
    }
  }
  topProducts(first: $first, offset: $offset) {
    ...Product
    reviews { ...Review author { ...User reviews { ...Review product { ...Product } } } }
  }
}`,
  first: HEAVY_FIRST,
  maxOffset: Math.min(USER_COUNT, PRODUCT_COUNT) - HEAVY_FIRST,
  expectedData: (offset) => ({
    users: pageOf(HEAVY_FIRST, offset, USER_COUNT).map((u) => ({
      ...userFields(u),
      reviews: reviewIdsOfUser(u).map((r) => ({
        ...reviewFields(r),
        product: {
          ...productFields(productOfReview(r)),
          reviews: reviewIdsOfProduct(productOfReview(r)).map(reviewWithAuthor),
        },
      })),
    })),
    topProducts: pageOf(HEAVY_FIRST, offset, PRODUCT_COUNT).map((p) => ({
      ...productFields(p),
      reviews: reviewIdsOfProduct(p).map(reviewWithAuthor),
    })),
  }),
};

export const NEUTRAL_QUERIES: NeutralQuery[] = [DEEP_QUERY, HEAVY_QUERY];
