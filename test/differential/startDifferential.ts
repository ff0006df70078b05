import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { startFixtureSubgraph, type FixtureSubgraph } from './startFixtureSubgraph';
import type {
  Answer,
  DifferentialOperation,
  Fixture,
  GatewayFactory,
  RunningGateway,
} from './types';

/** One gateway's answer to one operation. */
export interface GatewayAnswer {
  gateway: string;
  answer: Answer;
}

export interface Differential {
  subgraphs: FixtureSubgraph[];
  supergraphSdl: string;
  /** Sends `operation` to every gateway in turn; the first answer is the reference's. */
  ask(operation: DifferentialOperation): Promise<GatewayAnswer[]>;
  /** Stops every gateway, then every subgraph. */
  close(): Promise<void>;
}

/** POSTs one operation as a client would and reads the JSON answer. */
export async function post(url: string, operation: DifferentialOperation): Promise<Answer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      query: operation.query,
      ...(operation.variables ? { variables: operation.variables } : {}),
      ...(operation.operationName ? { operationName: operation.operationName } : {}),
    }),
  });
  const text = await response.text();
  try {
    return { status: response.status, body: JSON.parse(text) as Answer['body'] };
  } catch {
    throw new Error(
      `expected JSON from ${url}, got HTTP ${response.status}: ${text.slice(0, 200)}`,
    );
  }
}

/** Composes the fixture's subgraphs, with their real addresses as routing URLs. */
function compose(subgraphs: FixtureSubgraph[]): string {
  const result = composeServices(
    subgraphs.map(({ name, url, typeDefs }) => ({ name, url, typeDefs: parse(typeDefs) })),
  );
  if (result.errors) throw new Error(result.errors.map((e) => e.message).join('\n'));
  return result.supergraphSdl;
}

/**
 * Starts the fixture's subgraphs over real HTTP, composes them, and starts one gateway of each
 * factory over that supergraph. Whatever started is stopped again when a later start fails.
 */
export async function startDifferential(
  fixture: Fixture,
  factories: GatewayFactory[],
): Promise<Differential> {
  const subgraphs: FixtureSubgraph[] = [];
  const gateways: { name: string; running: RunningGateway }[] = [];
  const close = async () => {
    for (const { running } of gateways.splice(0)) await running.stop();
    for (const subgraph of subgraphs.splice(0)) await subgraph.close();
  };
  try {
    for (const definition of fixture.subgraphs) {
      subgraphs.push(await startFixtureSubgraph(definition));
    }
    const supergraphSdl = compose(subgraphs);
    const subgraphsNamed = (names: string[], setting: string) => {
      const named = subgraphs.filter(({ name }) => names.includes(name));
      if (named.length !== names.length) {
        throw new Error(
          `${setting} names ${names.join(', ')}, but the fixture's subgraphs are ${subgraphs.map(({ name }) => name).join(', ')}`,
        );
      }
      return named;
    };
    for (const factory of factories) {
      gateways.push({ name: factory.name, running: await factory.start(supergraphSdl) });
    }
    return {
      subgraphs,
      supergraphSdl,
      async ask(operation) {
        const down = subgraphsNamed(operation.down ?? [], 'down');
        const unavailable = subgraphsNamed(operation.unavailable ?? [], 'unavailable');
        for (const subgraph of down) await subgraph.stop();
        for (const subgraph of unavailable) subgraph.answerUnavailable(true);
        try {
          const answers: GatewayAnswer[] = [];
          for (const { name, running } of gateways) {
            answers.push({ gateway: name, answer: await post(running.url, operation) });
          }
          return answers;
        } finally {
          for (const subgraph of unavailable) subgraph.answerUnavailable(false);
          for (const subgraph of down) await subgraph.start();
        }
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
