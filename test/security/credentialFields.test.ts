import { codesOf, startStack, type Stack } from '../helpers/stack';

/**
 * Item 4 of the security issue, continued: one operation may hold at most one `login`,
 * `register` or `refreshToken` field (CREDENTIAL_FIELDS). The gateway splits a mutation into one
 * subgraph fetch per run of fields owned by the same subgraph, so credential fields interleaved
 * with another subgraph's mutations would each reach the users subgraph in a fetch of its own,
 * past its one-check-per-request limit. The gateway refuses them before planning: no subgraph is
 * called at all.
 */

const CREATE_SUPPLIER =
  'createSupplier(input: { name: "Acme", surname: "Ltd", address: "1 Main St" }) { id }';
const LOGIN = 'login(username: $u, password: $p) { accessToken }';
const CREDENTIALS = { u: 'alice', p: 'alice-password' };
const REFUSAL = /^An operation may hold at most one login, register or refreshToken field, found /;

let stack: Stack;
let token: string;

beforeAll(async () => {
  // The other operation limits are raised, so that the 16-field operations below are refused by
  // this rule alone.
  stack = await startStack({
    recordSubgraphRequests: true,
    captureLogs: true,
    env: { MAX_ALIASES: '1000', MAX_ROOT_FIELDS: '1000', MAX_COST: '1000000' },
  });
  token = (await stack.login('alice', 'alice-password')).accessToken;
});
afterAll(() => stack.stop());

/** Sends `query` as alice and returns the answer with what reached the subgraphs meanwhile. */
async function send<TData = Record<string, unknown>>(
  query: string,
  variables: Record<string, unknown> = CREDENTIALS,
) {
  stack.subgraphRequests.length = 0;
  stack.resetSql();
  const res = await stack.request<TData>(query, variables, { token });
  return {
    res,
    subgraphUrls: stack.subgraphRequests.map((request) => request.url),
    sql: [stack.subgraphs.users.sql, stack.subgraphs.suppliers.sql].flat(),
  };
}

describe('4. one credential field per operation', () => {
  it('runs one login interleaved with another subgraph’s mutation, in three subgraph fetches', async () => {
    const { res, subgraphUrls } = await send<{
      login: { accessToken: string };
      createSupplier: { id: string };
      logout: boolean;
    }>(
      `mutation($u: String!, $p: String!) { ${LOGIN} ${CREATE_SUPPLIER} logout(refreshToken: "unknown") }`,
    );
    expect(res.status).toBe(200);
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data?.login.accessToken).toEqual(expect.any(String));
    expect(res.body.data?.createSupplier.id).toEqual(expect.any(String));
    // What makes a second login dangerous: users, suppliers, users again, each its own fetch.
    expect(subgraphUrls).toEqual([
      stack.subgraphs.users.url,
      stack.subgraphs.suppliers.url,
      stack.subgraphs.users.url,
    ]);
  });

  it('refuses login, createSupplier, login with 400 before any subgraph is called', async () => {
    const suppliersBefore = await stack.request<{ suppliers: unknown[] }>(
      '{ suppliers(limit: 100) { id } }',
    );
    const logins = () => stack.logs().filter((line) => line.event === 'login.succeeded').length;
    const loginsBefore = logins();

    const { res, subgraphUrls, sql } = await send(
      `mutation($u: String!, $p: String!) { ${LOGIN} ${CREATE_SUPPLIER} second: ${LOGIN} }`,
    );
    expect(res.status).toBe(400);
    expect(res.body.data).toBeUndefined();
    expect(codesOf(res.body)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(res.body.errors?.[0]?.message).toBe(
      'An operation may hold at most one login, register or refreshToken field, found 2: login, second: login.',
    );
    expect(subgraphUrls).toEqual([]);
    expect(sql).toEqual([]);
    expect(logins()).toBe(loginsBefore);
    const suppliersAfter = await stack.request<{ suppliers: unknown[] }>(
      '{ suppliers(limit: 100) { id } }',
    );
    expect(suppliersAfter.body.data?.suppliers).toHaveLength(
      suppliersBefore.body.data?.suppliers.length ?? -1,
    );
  });

  it('refuses 16 login fields interleaved with mutations of another subgraph', async () => {
    const fields = Array.from(
      { length: 16 },
      (_, i) => `l${i}: ${LOGIN} s${i}: ${CREATE_SUPPLIER}`,
    ).join(' ');
    const { res, subgraphUrls } = await send(`mutation($u: String!, $p: String!) { ${fields} }`);
    expect(res.status).toBe(400);
    expect(codesOf(res.body)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(res.body.errors?.[0]?.message).toMatch(REFUSAL);
    expect(res.body.errors?.[0]?.message).toMatch(
      /found 16: l0: login, l1: login, .*, l15: login\.$/,
    );
    expect(subgraphUrls).toEqual([]);
  });

  it('refuses 16 register fields, creating no account; one register creates one', async () => {
    const register = (name: string) =>
      `${name}: register(input: { username: "${name}", email: "${name}@example.com", password: "password-${name}" }) { accessToken }`;
    const names = Array.from({ length: 16 }, (_, i) => `many_${i}`);
    const refused = await send(
      `mutation { ${names.map((name) => `${register(name)} ${name}s: ${CREATE_SUPPLIER}`).join(' ')} }`,
      {},
    );
    expect(refused.res.status).toBe(400);
    expect(refused.res.body.errors).toHaveLength(1);
    expect(refused.res.body.errors?.[0]?.message).toMatch(REFUSAL);
    expect(refused.res.body.errors?.[0]?.message).toMatch(/found 16: many_0: register, /);
    expect(refused.subgraphUrls).toEqual([]);
    expect(refused.sql).toEqual([]);
    for (const name of ['many_0', 'many_15']) {
      const login = await stack.request(
        `mutation { login(username: "${name}", password: "password-${name}") { accessToken } }`,
      );
      expect(codesOf(login.body)).toEqual(['UNAUTHENTICATED']);
    }

    // Control: the same field alone creates its account.
    const one = await send(`mutation { ${register('single_0')} }`, {});
    expect(one.res.body.errors).toBeUndefined();
    const login = await stack.request<{ login: { accessToken: string } }>(
      'mutation { login(username: "single_0", password: "password-single_0") { accessToken } }',
    );
    expect(login.body.data?.login.accessToken).toEqual(expect.any(String));
  });

  it('counts credential fields reached through fragments on Mutation', async () => {
    const { res, subgraphUrls } = await send(
      `mutation($u: String!, $p: String!) { ...Sign ${CREATE_SUPPLIER} }
       fragment Sign on Mutation { ${LOGIN} ... on Mutation { refreshToken(refreshToken: "r") { accessToken } } }`,
    );
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0]?.message).toBe(
      'An operation may hold at most one login, register or refreshToken field, found 2: login, refreshToken.',
    );
    expect(subgraphUrls).toEqual([]);
  });
});
