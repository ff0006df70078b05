import { GraphQLError } from 'graphql';
import { expectSameAnswer } from './expectSameAnswer';
import { expectShape } from './expectShape';
import { fedstackGateway } from './fedstackGateway';
import { startDifferential, type Differential } from './startDifferential';
import { stockGateway } from './stockGateway';
import type { DifferentialOperation, Fixture } from './types';

const FEDERATION =
  'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])';

/** Six listings of three things: t1 three times, t2 twice, t3 once. */
const LISTINGS = ['t1', 't2', 't1', 't3', 't1', 't2'].map((thing, i) => ({ id: `l${i}`, thing }));

/** Entities `prices` was asked to resolve, over every gateway's requests. */
let references = 0;

const listings: Fixture = {
  name: 'listings: the same entity in many places',
  subgraphs: [
    {
      name: 'listings',
      typeDefs: `${FEDERATION}
type Query { listings: [Listing!]! }
type Listing { id: ID!, thing: Thing }
type Thing @key(fields: "id") { id: ID! }`,
      resolvers: {
        Query: { listings: () => LISTINGS },
        Listing: { thing: ({ thing }: { thing: string }) => ({ id: thing }) },
      },
    },
    {
      name: 'prices',
      typeDefs: `${FEDERATION}
type Thing @key(fields: "id") { id: ID!, price: Int!, label: String, name: String! }`,
      resolvers: {
        Thing: {
          __resolveReference: (reference: { id: string }) => {
            references += 1;
            return reference;
          },
          price: ({ id }: { id: string }) => {
            if (id === 't2') throw new GraphQLError(`no price for ${id}`, { extensions: { id } });
            return Number(id.slice(1)) * 10;
          },
          name: ({ id }: { id: string }) => `Thing ${id}`,
          label: ({ id }: { id: string }) => {
            if (id === 't3') throw new Error('label unavailable');
            return `thing ${id}`;
          },
        },
      },
    },
  ],
};

const NAMES: DifferentialOperation = {
  name: 'names of things listed several times',
  query: '{ listings { id thing { id name } } }',
};

const PRICES: DifferentialOperation = {
  name: 'prices of things listed several times, some failing',
  query: '{ listings { id thing { id price label } } }',
  expect: 'partial',
};

/**
 * This gateway sends each distinct entity representation once per fetch, and answers as stock
 * @apollo/gateway does when it sends every one: data merged into every place the entity sits.
 * When such a fetch comes back with errors, it asks again with every representation, as stock
 * @apollo/gateway does, since only that answer says where each error sits and in which order.
 */
describe('entity representations are sent once per fetch', () => {
  let differential: Differential;

  beforeAll(async () => {
    differential = await startDifferential(listings, [stockGateway, fedstackGateway()]);
  });

  afterAll(async () => {
    await differential?.close();
  });

  const ask = async (operation: DifferentialOperation) => {
    const before = references;
    const [stock, fedstack] = await differential.ask(operation);
    if (!stock || !fedstack) throw new Error('two answers expected');
    expectShape(operation, stock.answer);
    expectSameAnswer(operation, stock, fedstack);
    return { fedstack, references: references - before };
  };

  it('sends three representations for six listings, and answers as stock @apollo/gateway', async () => {
    const { references: resolved } = await ask(NAMES);
    // Six from stock @apollo/gateway, three from this gateway.
    expect(resolved).toBe(9);
  });

  it('asks again with all six when errors come back, and places them as stock does', async () => {
    const { fedstack, references: resolved } = await ask(PRICES);
    expect(fedstack.answer.body.errors?.map((error) => error.path)).toEqual([
      ['listings', 3, 'thing', 'label'],
      ['listings', 1, 'thing', 'price'],
      ['listings', 5, 'thing', 'price'],
    ]);
    // Six from stock @apollo/gateway; three, then six, from this gateway.
    expect(resolved).toBe(15);
  });
});
