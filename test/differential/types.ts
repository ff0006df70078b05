import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';

/** One subgraph of a fixture: its SDL (Federation 2) and resolvers over fixed data. */
export interface FixtureSubgraphDefinition {
  name: string;
  typeDefs: string;
  // Each fixture schema is a few lines; typing every resolver would add nothing.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  resolvers: GraphQLResolverMap<any>;
}

/** A small supergraph: 2-4 subgraphs composed with @apollo/composition when the fixture starts. */
export interface Fixture {
  name: string;
  subgraphs: FixtureSubgraphDefinition[];
}

/** What the reference gateway's answer must look like, so that a comparison means something. */
export type Expectation =
  /** `data` with no `errors` (the default). */
  | 'data'
  /** Some `data` (not null) and some `errors`. */
  | 'partial'
  /** `errors`, whatever `data` is. */
  | 'errors';

/** One client request, sent unchanged to every gateway. */
export interface DifferentialOperation {
  /** The test title. */
  name: string;
  query: string;
  variables?: Record<string, unknown>;
  operationName?: string;
  /** Subgraphs whose server is closed while this operation runs, and started again after it. */
  down?: string[];
  /** Subgraphs that answer HTTP 503 with a plain-text body while this operation runs. */
  unavailable?: string[];
  /** Default `'data'`. */
  expect?: Expectation;
}

/** A GraphQL answer as a client reads it. */
export interface Answer {
  status: number;
  body: {
    data?: unknown;
    errors?: Array<{ message: string; path?: unknown[]; extensions?: Record<string, unknown> }>;
  };
}

/** A running gateway over one supergraph. */
export interface RunningGateway {
  /** The GraphQL endpoint. */
  url: string;
  stop(): Promise<void>;
}

/** A way to start one kind of gateway; every factory in a run answers every operation. */
export interface GatewayFactory {
  /** Named in every mismatch, e.g. `fedstack (GATEWAY_EXECUTOR=fast)`. */
  name: string;
  start(supergraphSdl: string): Promise<RunningGateway>;
}
