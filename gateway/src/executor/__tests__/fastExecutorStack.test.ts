import { createLogger } from '@fedstack/runtime/logger';
import { startStack, type Stack } from '../../../../test/helpers/stack';
import { readGatewayConfig } from '../../config';
import { createGatewayServer, type GatewayServer } from '../../server';
import { executorFallbacks, fastExecutions } from '../executorMetrics';

/** Fallbacks counted so far, by reason. */
async function fallbacks(): Promise<Record<string, number>> {
  const { values } = await executorFallbacks.get();
  return Object.fromEntries(values.map(({ labels, value }) => [String(labels.reason), value]));
}

/** Operations the fast executor ran itself so far. */
async function fastRuns(): Promise<number> {
  return (await fastExecutions.get()).values[0]?.value ?? 0;
}

interface Case {
  name: string;
  query: string;
  variables?: Record<string, unknown>;
  as?: 'alice' | 'admin';
}

const CASES: Case[] = [
  {
    name: 'anonymous suppliers with their creators (two subgraphs)',
    query: '{ suppliers(limit: 50) { name createdBy { username } } }',
  },
  {
    name: "the caller's orders, their suppliers and the suppliers' creators (four fetches)",
    query: '{ me { orders(limit: 50) { item supplier { name createdBy { username } } } } }',
    as: 'alice',
  },
  {
    name: "an admin's orders with users and suppliers",
    query: '{ orders(limit: 100) { user { username } supplier { name } } }',
    as: 'admin',
  },
  {
    name: 'aliases, __typename, named and inline fragments, @skip/@include by variable',
    query: `query Mixed($withMail: Boolean!, $skipOrders: Boolean = false) {
      whoami: me { ...Who kind: __typename email @include(if: $withMail)
        orders(limit: 3) @skip(if: $skipOrders) { ... on Order { id n: quantity status } __typename }
      }
      s: suppliers(limit: 2) { id ... on Supplier { createdBy { ...Who } } }
    }
    fragment Who on User { id username role }`,
    variables: { withMail: true },
    as: 'alice',
  },
  {
    name: "another user's email: null with a FORBIDDEN error (partial data)",
    query: '{ users(limit: 5) { username email } }',
    as: 'alice',
  },
  {
    name: 'anonymous orders: UNAUTHENTICATED for a non-null root field',
    query: '{ orders(limit: 2) { id } suppliers(limit: 1) { name } }',
  },
  {
    name: 'invalid variables are refused before anything is fetched',
    query: 'query ($n: Int!) { suppliers(limit: $n) { name } }',
    variables: { n: 'many' },
  },
];

describe('GATEWAY_EXECUTOR=fast over the repository supergraph', () => {
  let stack: Stack;
  let apollo: GatewayServer;
  let apolloUrl: string;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    stack = await startStack({ env: { GATEWAY_EXECUTOR: 'fast' } });
    apollo = await createGatewayServer(
      readGatewayConfig({ ...stack.env, GATEWAY_EXECUTOR: 'apollo' }),
      {
        logger: createLogger({ service: 'gateway', level: 'silent', format: 'json' }),
      },
    );
    apolloUrl = `http://127.0.0.1:${await apollo.listen(0, '127.0.0.1')}/graphql`;
    tokens.alice = (await stack.login('alice', 'alice-password')).accessToken;
    tokens.admin = (await stack.login('admin', 'admin-password')).accessToken;
  });

  afterAll(async () => {
    await apollo?.stop();
    await stack?.stop();
  });

  async function ask(url: string, { query, variables, as }: Case) {
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(as ? { authorization: `Bearer ${tokens[as]}` } : {}),
      },
      body: JSON.stringify({ query, variables }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  it.each(CASES.map((c) => [c.name, c] as const))(
    '%s: run by the fast executor, with the same answer as Apollo',
    async (_name, operation) => {
      const before = await fallbacks();
      const ran = await fastRuns();
      const fast = await ask(stack.gatewayUrl, operation);
      expect(await fallbacks()).toEqual(before);
      expect(await fastRuns()).toBe(ran + 1);
      const reference = await ask(apolloUrl, operation);
      expect(fast).toEqual(reference);
      // The operation did something: data, or errors, to compare.
      expect(reference.body.data ?? reference.body.errors).toBeTruthy();
    },
  );

  it('introspection falls back to Apollo, counted by reason, with the same answer', async () => {
    const operation = { name: 'introspection', query: '{ __schema { queryType { name } } }' };
    const before = (await fallbacks()).introspection ?? 0;
    const fast = await ask(stack.gatewayUrl, operation);
    expect((await fallbacks()).introspection).toBe(before + 1);
    expect(fast).toEqual(await ask(apolloUrl, operation));
    expect(fast.body).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } });
  });

  it('refuses an executor it does not know, naming the setting', () => {
    expect(() => readGatewayConfig({ ...stack.env, GATEWAY_EXECUTOR: 'turbo' })).toThrow(
      /GATEWAY_EXECUTOR/,
    );
  });
});
