import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import {
  authorOfReview,
  idOf,
  inStockOf,
  pageOf,
  PRODUCT_COUNT,
  productOf,
  productOfReview,
  REVIEW_COUNT,
  reviewIdsOfProduct,
  reviewIdsOfUser,
  reviewOf,
  shippingEstimateOf,
  USER_COUNT,
  userOf,
} from './neutralData';

/** One of the neutral bench's subgraphs: its SDL and resolvers over `neutralData`. */
export interface NeutralSubgraph {
  name: 'accounts' | 'products' | 'reviews' | 'inventory';
  typeDefs: string;
  resolvers: GraphQLResolverMap<unknown>;
}

const LINK = (imports: string[]) =>
  `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: [${imports
    .map((name) => `"${name}"`)
    .join(', ')}])`;

interface Keyed {
  id?: unknown;
  upc?: unknown;
}

function userRef(ref: Keyed) {
  const u = idOf(ref.id, USER_COUNT);
  return u === undefined ? null : userOf(u);
}

function productRef(ref: Keyed) {
  const p = idOf(ref.upc, PRODUCT_COUNT);
  return p === undefined ? null : productOf(p);
}

function reviewsOf(ids: number[]) {
  return ids.map(reviewOf);
}

/**
 * The four subgraphs of the neutral bench, shaped like the public federation benchmark's: accounts
 * owns users, products owns products, reviews extends both (`@provides` the author's username) and
 * inventory computes `shippingEstimate` from the product's price and weight (`@requires`).
 */
export const NEUTRAL_SUBGRAPHS: NeutralSubgraph[] = [
  {
    name: 'accounts',
    typeDefs: `${LINK(['@key', '@shareable'])}
type Query {
  me: User
  user(id: ID!): User
  users(first: Int = 5, offset: Int = 0): [User]
}
type User @key(fields: "id") {
  id: ID!
  name: String
  username: String @shareable
  birthday: Int
}`,
    resolvers: {
      Query: {
        me: () => userOf(0),
        user: (_: unknown, args: { id: string }) => userRef({ id: args.id }),
        users: (_: unknown, args: { first: number; offset: number }) =>
          pageOf(args.first, args.offset, USER_COUNT).map(userOf),
      },
      User: { __resolveReference: (ref: Keyed) => userRef(ref) },
    },
  },
  {
    name: 'products',
    typeDefs: `${LINK(['@key'])}
type Query {
  topProducts(first: Int = 5, offset: Int = 0): [Product]
}
type Product @key(fields: "upc") {
  upc: String!
  name: String
  price: Int
  weight: Int
}`,
    resolvers: {
      Query: {
        topProducts: (_: unknown, args: { first: number; offset: number }) =>
          pageOf(args.first, args.offset, PRODUCT_COUNT).map(productOf),
      },
      Product: { __resolveReference: (ref: Keyed) => productRef(ref) },
    },
  },
  {
    name: 'reviews',
    typeDefs: `${LINK(['@key', '@external', '@provides'])}
type Review @key(fields: "id") {
  id: ID!
  body: String
  author: User @provides(fields: "username")
  product: Product
}
type User @key(fields: "id") {
  id: ID!
  username: String @external
  reviews: [Review]
}
type Product @key(fields: "upc") {
  upc: String!
  reviews: [Review]
}`,
    resolvers: {
      Review: {
        __resolveReference: (ref: Keyed) => {
          const r = idOf(ref.id, REVIEW_COUNT);
          return r === undefined ? null : reviewOf(r);
        },
        author: (review: { id: string }) => {
          const u = authorOfReview(Number(review.id));
          return { id: String(u), username: userOf(u).username };
        },
        product: (review: { id: string }) => ({ upc: String(productOfReview(Number(review.id))) }),
      },
      User: {
        __resolveReference: (ref: Keyed) => {
          const u = idOf(ref.id, USER_COUNT);
          return u === undefined ? null : { id: String(u) };
        },
        reviews: (user: { id: string }) => reviewsOf(reviewIdsOfUser(Number(user.id))),
      },
      Product: {
        __resolveReference: (ref: Keyed) => {
          const p = idOf(ref.upc, PRODUCT_COUNT);
          return p === undefined ? null : { upc: String(p) };
        },
        reviews: (product: { upc: string }) => reviewsOf(reviewIdsOfProduct(Number(product.upc))),
      },
    },
  },
  {
    name: 'inventory',
    typeDefs: `${LINK(['@key', '@external', '@requires'])}
type Product @key(fields: "upc") {
  upc: String!
  weight: Int @external
  price: Int @external
  inStock: Boolean
  shippingEstimate: Int @requires(fields: "price weight")
}`,
    resolvers: {
      Product: {
        __resolveReference: (ref: Keyed & { price?: unknown; weight?: unknown }) => {
          const p = idOf(ref.upc, PRODUCT_COUNT);
          if (p === undefined) return null;
          return { upc: String(p), price: ref.price, weight: ref.weight, inStock: inStockOf(p) };
        },
        shippingEstimate: (product: { price?: unknown; weight?: unknown }) =>
          typeof product.price === 'number' && typeof product.weight === 'number'
            ? shippingEstimateOf(product.price, product.weight)
            : null,
      },
    },
  },
];
