/**
 * The neutral bench's data: deterministic functions of an id, so the four subgraphs and the
 * bench's answer checker agree without sharing state, and the id space is large enough that every
 * request of a run can ask for different entities.
 *
 * Users own three reviews each (`u`, `u + USER_COUNT`, `u + 2 * USER_COUNT`); product `p` has the
 * reviews `3p`, `3p + 1` and `3p + 2`, so each review's author and product point back to an entity
 * whose list holds it.
 */
export const USER_COUNT = 1_000_000;
/** As many products as users. */
export const PRODUCT_COUNT = USER_COUNT;
/** Three reviews per user and per product. */
export const REVIEW_COUNT = 3 * USER_COUNT;

export interface NeutralUser {
  id: string;
  name: string;
  username: string;
  birthday: number;
}

export interface NeutralProduct {
  upc: string;
  name: string;
  price: number;
  weight: number;
}

export interface NeutralReview {
  id: string;
  body: string;
}

const FIRST_NAMES = [
  'Ada',
  'Brian',
  'Chen',
  'Dana',
  'Eli',
  'Farah',
  'Goran',
  'Hana',
  'Ivo',
  'June',
];
const LAST_NAMES = ['Moreau', 'Okafor', 'Lindqvist', 'Tanaka', 'Silva', 'Novak', 'Haddad'];
const PRODUCT_NAMES = ['Table', 'Couch', 'Glass', 'Chair', 'TV', 'Lamp', 'Grill', 'Fridge', 'Sofa'];
const TEXT =
  'Sturdy enough for daily use, and the finish held up after a year of it. Delivery was on time, ' +
  'the parts were all there and the instructions made sense on the first read. It is smaller than ' +
  'the photos suggest, so measure before ordering. Customer service answered within a day and ' +
  'replaced the one piece that arrived scratched without asking for the old one back. Would buy ' +
  'again, though the price went up twice since, which is harder to recommend to a friend. ';

/** A non-negative integer id parsed from an entity key, or undefined when it names no entity. */
export function idOf(value: unknown, count: number): number | undefined {
  const id = typeof value === 'string' && /^\d{1,9}$/.test(value) ? Number(value) : NaN;
  return Number.isInteger(id) && id < count ? id : undefined;
}

export function userOf(u: number): NeutralUser {
  return {
    id: String(u),
    name: `${FIRST_NAMES[u % FIRST_NAMES.length]} ${LAST_NAMES[u % LAST_NAMES.length]}`,
    username: `user${u}`,
    birthday: 631152000 + ((u * 86_413) % 946_080_000),
  };
}

export function productOf(p: number): NeutralProduct {
  return {
    upc: String(p),
    name: `${PRODUCT_NAMES[p % PRODUCT_NAMES.length]} ${p}`,
    price: 10 + ((p * 7_919) % 4_990),
    weight: 1 + ((p * 104_729) % 2_500),
  };
}

export function reviewOf(r: number): NeutralReview {
  const start = (r * 31) % 200;
  return { id: String(r), body: TEXT.slice(start, start + 50 + ((r * 37) % 180)) };
}

/** The inventory subgraph's own fields of product `p`. */
export function inStockOf(p: number): boolean {
  return p % 3 !== 1;
}

/** `shippingEstimate`, computed from the fields it `@requires`. */
export function shippingEstimateOf(price: number, weight: number): number {
  return price > 1000 ? 0 : Math.ceil(weight / 2);
}

export function reviewIdsOfUser(u: number): number[] {
  return [u, u + USER_COUNT, u + 2 * USER_COUNT];
}

export function reviewIdsOfProduct(p: number): number[] {
  return [3 * p, 3 * p + 1, 3 * p + 2];
}

export function authorOfReview(r: number): number {
  return r % USER_COUNT;
}

export function productOfReview(r: number): number {
  return Math.floor(r / 3);
}

/** `first` ids from `offset`, clipped to `count`. */
export function pageOf(first: number, offset: number, count: number): number[] {
  const ids: number[] = [];
  for (let id = Math.max(0, offset); id < Math.min(count, offset + first); id += 1) ids.push(id);
  return ids;
}
