import { expectSameAnswer } from './expectSameAnswer';
import { expectShape } from './expectShape';
import { fedstackGateway, hasExecutorSetting } from './fedstackGateway';
import { startDifferential, type Differential } from './startDifferential';
import { stockGateway } from './stockGateway';
import type { DifferentialOperation, Fixture, GatewayFactory } from './types';

/**
 * The gateways every operation runs through: stock @apollo/gateway (the reference, first), this
 * gateway as configured by default, and, once the setting exists, this gateway with
 * `GATEWAY_EXECUTOR=fast`.
 */
export function defaultGateways(): GatewayFactory[] {
  return [
    stockGateway,
    fedstackGateway(),
    ...(hasExecutorSetting() ? [fedstackGateway({ GATEWAY_EXECUTOR: 'fast' })] : []),
  ];
}

/**
 * Registers one Jest test per operation, in a `describe` naming the fixture and the gateways. The
 * fixture's subgraphs and one gateway per factory start once, before the first test. Each
 * operation goes to every gateway in turn: the first gateway's answer (the reference) must have the shape the
 * operation expects (`expectShape`), and every other answer must equal it (`expectSameAnswer`).
 *
 * `gateways` defaults to `defaultGateways()`; to compare another gateway, pass
 * `[stockGateway, yourFactory]` (the reference stays first).
 */
export function runDifferential(
  fixture: Fixture,
  operations: DifferentialOperation[],
  gateways: GatewayFactory[] = defaultGateways(),
): void {
  describe(`${fixture.name} (${gateways.map(({ name }) => name).join(' = ')})`, () => {
    let differential: Differential | undefined;

    beforeAll(async () => {
      differential = await startDifferential(fixture, gateways);
    });

    afterAll(async () => {
      await differential?.close();
    });

    it.each(operations.map((operation) => [operation.name, operation] as const))(
      '%s',
      async (_name, operation) => {
        if (!differential) throw new Error(`${fixture.name} did not start`);
        const [reference, ...others] = await differential.ask(operation);
        if (!reference || others.length === 0) throw new Error('nothing to compare');
        expectShape(operation, reference.answer);
        for (const other of others) expectSameAnswer(operation, reference, other);
      },
    );
  });
}
