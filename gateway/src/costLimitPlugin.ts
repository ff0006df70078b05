import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { getVariableValues, GraphQLError } from 'graphql';
import type { CostDirectives } from './costDirectives';
import { costOf } from './costOf';
import { createCostMemo } from './costMemo';
import { ErrorCode } from '@fedstack/runtime/errors';

export interface CostLimitOptions {
  /** The largest cost an operation may have (`MAX_COST`). */
  maxCost: number;
  /** Items assumed for a list without `@listSize` (`COST_DEFAULT_LIST_SIZE`). */
  defaultListSize: number;
  /** The current supergraph's cost directives; read per request, so reloads take effect. */
  directives: () => CostDirectives;
}

function refusal(message: string): GraphQLError {
  return new GraphQLError(message, {
    extensions: { code: ErrorCode.GRAPHQL_VALIDATION_FAILED, http: { status: 400 } },
  });
}

/**
 * Refuses an operation whose estimated cost (`costOf`) is over `maxCost`, with HTTP 400
 * `GRAPHQL_VALIDATION_FAILED` and "Query cost 3536840 exceeds the limit of 50000." It runs once
 * the operation is resolved, when the variables are known, and before the gateway plans it or
 * calls any subgraph. Variables that do not fit the operation are left to the gateway to refuse.
 * Estimates are remembered (`createCostMemo`), so a repeated operation is not walked again.
 */
export function costLimitPlugin<TContext extends BaseContext>(
  options: CostLimitOptions,
): ApolloServerPlugin<TContext> {
  const memo = createCostMemo();
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, operation, request }) {
          if (!operation) return;
          const variables = request.variables ?? {};
          let fits: boolean | undefined;
          const fit = () =>
            (fits ??= !getVariableValues(schema, operation.variableDefinitions ?? [], variables)
              .errors);
          const directives = options.directives();
          const operationName = operation.name?.value;
          let cost: number | undefined;
          try {
            cost = memo.cost(directives, document, operationName, variables, () =>
              fit()
                ? costOf({
                    schema,
                    document,
                    operationName,
                    variables,
                    directives,
                    defaultListSize: options.defaultListSize,
                  })
                : undefined,
            );
          } catch (error) {
            throw refusal(`Query cost cannot be estimated: ${(error as Error).message}`);
          }
          // A remembered cost was estimated for other values of the variables it does not
          // depend on: whether these fit is checked before refusing, as for a first estimate.
          if (cost === undefined || cost <= options.maxCost || !fit()) return;
          throw refusal(`Query cost ${cost} exceeds the limit of ${options.maxCost}.`);
        },
      };
    },
  };
}
