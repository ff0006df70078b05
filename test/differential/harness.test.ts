import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { GraphQLError } from 'graphql';
import { expectSameAnswer } from './expectSameAnswer';
import { expectShape } from './expectShape';
import { fedstackGateway } from './fedstackGateway';
import { SUBGRAPH_REQUEST_FAILED } from './normaliseAnswer';
import { startDifferential, type Differential, type GatewayAnswer } from './startDifferential';
import { stockGateway } from './stockGateway';
import type { DifferentialOperation, Fixture, GatewayFactory } from './types';

const FEDERATION =
  'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])';

const THINGS = [
  { id: 't1', name: 'one' },
  { id: 't2', name: 'two' },
];

const things: Fixture = {
  name: 'things',
  subgraphs: [
    {
      name: 'names',
      typeDefs: `${FEDERATION}\ntype Query { things: [Thing!]! }\ntype Thing @key(fields: "id") { id: ID!, name: String }`,
      resolvers: { Query: { things: () => THINGS } },
    },
    {
      name: 'prices',
      typeDefs: `${FEDERATION}\ntype Thing @key(fields: "id") { id: ID!, price: Int, secret: String }`,
      resolvers: {
        Thing: {
          price: ({ id }: { id: string }) => (id === 't1' ? 10 : 20),
          secret: () => {
            throw new GraphQLError('No', { extensions: { code: 'FORBIDDEN' } });
          },
        },
      },
    },
  ],
};

const DATA: DifferentialOperation = { name: 'data', query: '{ things { id name price } }' };
const ERRORS: DifferentialOperation = {
  name: 'errors',
  query: '{ things { id secret } }',
  expect: 'partial',
};
const DOWN: DifferentialOperation = {
  name: 'down',
  query: '{ things { id price } }',
  down: ['prices'],
  expect: 'partial',
};

const UNAVAILABLE: DifferentialOperation = {
  name: 'unavailable',
  query: '{ things { id price } }',
  unavailable: ['prices'],
  expect: 'partial',
};

/** Stock @apollo/gateway whose answers carry one more extension on every error. */
const addsAnExtension: GatewayFactory = {
  name: 'stock @apollo/gateway with an extra extension',
  async start(supergraphSdl) {
    const server = new ApolloServer({
      gateway: new ApolloGateway({ supergraphSdl }),
      includeStacktraceInErrorResponses: false,
      formatError: (formatted) => ({
        ...formatted,
        extensions: { ...formatted.extensions, extra: true },
      }),
    });
    const { url } = await startStandaloneServer(server, { listen: { port: 0, host: '127.0.0.1' } });
    return { url, stop: () => server.stop() };
  },
};

const copy = <T>(value: T): T => structuredClone(value);

/** The harness itself: what it lets through, and each difference it must not. */
describe('differential harness', () => {
  let differential: Differential;
  const answers: Record<string, GatewayAnswer[]> = {};

  beforeAll(async () => {
    differential = await startDifferential(things, [
      stockGateway,
      fedstackGateway(),
      addsAnExtension,
    ]);
    for (const operation of [DATA, ERRORS, DOWN, UNAVAILABLE]) {
      answers[operation.name] = await differential.ask(operation);
    }
  });

  afterAll(async () => {
    await differential?.close();
  });

  const answersTo = (operation: DifferentialOperation) => {
    const [reference, fedstack, extra] = answers[operation.name] ?? [];
    if (!reference || !fedstack || !extra) throw new Error(`no answers to ${operation.name}`);
    return { reference, fedstack, extra };
  };

  it('control: this gateway answers every operation as the reference does', () => {
    for (const operation of [DATA, ERRORS, DOWN, UNAVAILABLE]) {
      const { reference, fedstack } = answersTo(operation);
      expectShape(operation, reference.answer);
      expectSameAnswer(operation, reference, fedstack);
    }
  });

  it('a down subgraph is the one difference normalised, and only its message and extensions', () => {
    const { reference, fedstack } = answersTo(DOWN);
    expect(reference.answer.body.errors?.[0]?.message).toMatch(/^request to http:\/\/127\.0\.0\.1/);
    expect(fedstack.answer.body.errors).toEqual([
      {
        message: 'Subgraph "prices" failed: connection refused',
        extensions: { code: 'SUBREQUEST_HTTP_ERROR', serviceName: 'prices' },
      },
    ]);
    const withPath = copy(fedstack);
    withPath.answer.body.errors = [{ ...fedstack.answer.body.errors![0]!, path: ['things', 0] }];
    expect(() => expectSameAnswer(DOWN, reference, withPath)).toThrow(SUBGRAPH_REQUEST_FAILED);
    // The failure must name a subgraph that was down.
    expect(() => expectSameAnswer({ ...DOWN, down: ['names'] }, reference, fedstack)).toThrow(
      'prices',
    );
  });

  it('a subgraph answering HTTP 503 compares by its status', () => {
    const { reference, fedstack } = answersTo(UNAVAILABLE);
    expect(reference.answer.body.errors?.[0]?.message).toBe('503: Service Unavailable');
    expect(fedstack.answer.body.errors).toEqual([
      {
        message: 'Subgraph "prices" failed: answered HTTP 503',
        extensions: { code: 'SUBREQUEST_HTTP_ERROR', serviceName: 'prices' },
      },
    ]);
    const otherStatus = copy(fedstack);
    otherStatus.answer.body.errors = [
      {
        ...fedstack.answer.body.errors![0]!,
        message: 'Subgraph "prices" failed: answered HTTP 500',
      },
    ];
    expect(() => expectSameAnswer(UNAVAILABLE, reference, otherStatus)).toThrow('503');
    // A connection failure is not an HTTP 503.
    expect(() => expectSameAnswer(UNAVAILABLE, reference, answersTo(DOWN).fedstack)).toThrow(
      'status',
    );
  });

  it('a plugged-in gateway that adds an extension is caught', () => {
    const { reference, extra } = answersTo(ERRORS);
    expect(extra.answer.body.data).toEqual(reference.answer.body.data);
    expect(() => expectSameAnswer(ERRORS, reference, extra)).toThrow(
      'stock @apollo/gateway with an extra extension',
    );
  });

  it('a changed value, path, message or status is caught', () => {
    const { reference, fedstack } = answersTo(ERRORS);
    const mutants = [
      (a: GatewayAnswer) =>
        ((a.answer.body.data as { things: { id: string }[] }).things[1]!.id = 'x'),
      (a: GatewayAnswer) => (a.answer.body.errors![0]!.path = ['things', 0, 'name']),
      (a: GatewayAnswer) => (a.answer.body.errors![0]!.message = 'no'),
      (a: GatewayAnswer) => delete a.answer.body.errors![0]!.extensions!.serviceName,
      (a: GatewayAnswer) => a.answer.body.errors!.reverse(),
      (a: GatewayAnswer) => (a.answer.status = 500),
    ];
    for (const mutate of mutants) {
      const mutant = copy(fedstack);
      mutate(mutant);
      expect(() => expectSameAnswer(ERRORS, reference, mutant)).toThrow('fedstack gateway');
    }
  });

  it('the same fields in another order are caught', () => {
    const { reference, fedstack } = answersTo(DATA);
    const reordered = copy(fedstack);
    const list = (reordered.answer.body.data as { things: Record<string, unknown>[] }).things;
    list[0] = Object.fromEntries(Object.entries(list[0]!).reverse());
    expect(reordered.answer.body.data).toEqual(reference.answer.body.data);
    expect(() => expectSameAnswer(DATA, reference, reordered)).toThrow('keyOrder');
  });

  it('a reference answer without the expected shape fails the operation', () => {
    const { reference } = answersTo(ERRORS);
    expect(() => expectShape(DATA, reference.answer)).toThrow();
    expect(() => expectShape(ERRORS, answersTo(DATA).reference.answer)).toThrow();
  });
});
