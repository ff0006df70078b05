import type { LoadRequest } from './runLoad';
import { BENCH_PASSWORD, type BenchData } from './seedBenchData';

/** One operation the stack bench runs: how to build its n-th request and how to check an answer. */
export interface StackOperation {
  name: string;
  /** Whether the stack must serve at least `TARGET_RATIO` times the baseline on it. */
  targeted: boolean;
  request(n: number): LoadRequest;
  /** Whether a response is the expected answer: a 200 with the data and no errors. */
  check(status: number, text: string): boolean;
}

export const SUPPLIERS_QUERY = '{ suppliers(limit: 50) { name createdBy { username } } }';
export const ME_QUERY =
  '{ me { orders(limit: 50) { item supplier { name createdBy { username } } } } }';
export const ADMIN_ORDERS_QUERY = '{ orders(limit: 100) { user { username } supplier { name } } }';
export const CREATE_ORDER_MUTATION =
  'mutation ($supplierId: ID!) { createOrder(input: { item: "bench", quantity: 1, supplierId: $supplierId }) { id } }';
export const LOGIN_MUTATION =
  'mutation ($u: String!, $p: String!) { login(username: $u, password: $p) { accessToken } }';

type Json = Record<string, unknown>;

/** The `data` of a 200 answer without errors, else undefined. */
function dataOf(status: number, text: string): Json | undefined {
  if (status !== 200) return undefined;
  try {
    const body = JSON.parse(text) as { data?: Json | null; errors?: unknown[] };
    return body.errors === undefined && body.data ? body.data : undefined;
  } catch {
    return undefined;
  }
}

const isName = (value: unknown): boolean => typeof value === 'string' && value.length > 0;

/**
 * The operations of the stack bench over `data`: the anonymous suppliers page, `me` with the
 * tokens of every generated user in turn, an admin's orders page, `createOrder` by every user in
 * turn and `login` as every user in turn. `tokens[i]` is the access token of `data.users[i]`.
 */
export function stackOperations(
  data: BenchData,
  tokens: string[],
  adminToken: string,
): StackOperation[] {
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const tokenOf = (n: number) => tokens[n % tokens.length] ?? '';
  return [
    {
      name: 'suppliers (anonymous)',
      targeted: false,
      request: () => ({ body: JSON.stringify({ query: SUPPLIERS_QUERY }), headers: {} }),
      check(status, text) {
        const list = dataOf(status, text)?.suppliers as Json[] | undefined;
        return (
          list?.length === 50 &&
          list.every((s) => isName(s.name) && isName((s.createdBy as Json | null)?.username))
        );
      },
    },
    {
      name: 'me (many users)',
      targeted: true,
      request: (n) => ({ body: JSON.stringify({ query: ME_QUERY }), headers: bearer(tokenOf(n)) }),
      check(status, text) {
        const orders = (dataOf(status, text)?.me as Json | undefined)?.orders as Json[] | undefined;
        return (
          orders !== undefined &&
          orders.length > 0 &&
          orders.every((o) => isName((o.supplier as Json | null)?.name))
        );
      },
    },
    {
      name: 'orders (admin)',
      targeted: true,
      request: () => ({
        body: JSON.stringify({ query: ADMIN_ORDERS_QUERY }),
        headers: bearer(adminToken),
      }),
      check(status, text) {
        const list = dataOf(status, text)?.orders as Json[] | undefined;
        return list?.length === 100 && list.every((o) => isName((o.user as Json).username));
      },
    },
    {
      name: 'createOrder',
      targeted: false,
      request: (n) => ({
        body: JSON.stringify({
          query: CREATE_ORDER_MUTATION,
          variables: { supplierId: data.supplierIds[n % data.supplierIds.length] },
        }),
        headers: bearer(tokenOf(n)),
      }),
      check(status, text) {
        return isName((dataOf(status, text)?.createOrder as Json | undefined)?.id);
      },
    },
    {
      name: 'login (argon2)',
      targeted: false,
      request: (n) => ({
        body: JSON.stringify({
          query: LOGIN_MUTATION,
          variables: { u: data.users[n % data.users.length]?.username, p: BENCH_PASSWORD },
        }),
        headers: {},
      }),
      check(status, text) {
        return isName((dataOf(status, text)?.login as Json | undefined)?.accessToken);
      },
    },
  ];
}
