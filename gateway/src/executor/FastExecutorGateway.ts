import type { ApolloGateway, GraphQLDataSource } from '@apollo/gateway';
import { operationFromDocument, type Operation, type Schema } from '@apollo/federation-internals';
import type { PlanNode, QueryPlan, QueryPlanner, SubscriptionNode } from '@apollo/query-planner';
import type {
  GatewayExecutionResult,
  GatewayExecutor,
  GatewayGraphQLRequestContext,
  GatewayInterface,
  GatewayLoadResult,
  GatewaySchemaLoadOrUpdateCallback,
  GatewayUnsubscriber,
} from '@apollo/server-gateway-interface';
import type { Logger } from '@fedstack/runtime/logger';
import {
  getOperationAST,
  getVariableValues,
  GraphQLError,
  Kind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type VariableDefinitionNode,
} from 'graphql';
import { ApiTypes, compileOperation, type CompiledOperation } from './compileOperation';
import { executePlan, type PlanRun } from './executePlan';
import { ExecutorFallback } from './ExecutorFallback';
import { executorFallbacks, fastExecutions } from './executorMetrics';
import { shapeResponse } from './shapeResponse';
import { SupergraphTypes } from './SupergraphTypes';

export interface FastExecutorGatewayOptions {
  gateway: ApolloGateway;
  /**
   * The data source of each subgraph by name: the very objects the gateway's `buildService` made,
   * so that every subgraph request is signed, timed, retried and counted as before.
   */
  dataSources: ReadonlyMap<string, GraphQLDataSource>;
  logger: Logger;
  /** Query plans (with their compiled operation) kept, least recently used dropped; default 1000. */
  maxPlans?: number;
}

/** What one supergraph gives every operation: its planner, its schemas and the plans made on it. */
interface Generation {
  planner: QueryPlanner;
  apiSchema: Schema;
  graphqlSchema: GraphQLSchema;
  types: ApiTypes;
  supergraphTypes: SupergraphTypes;
  plans: Map<string, Entry>;
}

type Entry =
  | {
      plan: QueryPlan;
      compiled: CompiledOperation;
      variableDefinitions: readonly VariableDefinitionNode[];
    }
  | { fallback: string };

interface PlannerSettings {
  recursiveSelectionsLimitDisabled?: boolean;
  nonLocalSelectionsLimitDisabled?: boolean;
}

function unsupportedIn(node: PlanNode | SubscriptionNode | undefined): string | undefined {
  if (!node) return undefined;
  switch (node.kind) {
    case 'Sequence':
    case 'Parallel':
      for (const child of node.nodes) {
        const reason = unsupportedIn(child);
        if (reason) return reason;
      }
      return undefined;
    case 'Flatten':
      return unsupportedIn(node.node);
    case 'Condition':
      return unsupportedIn(node.ifClause) ?? unsupportedIn(node.elseClause);
    case 'Fetch':
      return node.contextRewrites && node.contextRewrites.length > 0 ? 'context' : undefined;
    case 'Defer':
      return 'defer';
    case 'Subscription':
      return 'subscription';
  }
}

/** Apollo's own error for what went wrong while shaping the response. */
function shapingError(error: unknown): GraphQLError {
  if (error instanceof GraphQLError) return error;
  if (error instanceof Error) return new GraphQLError(error.message, { originalError: error });
  return new GraphQLError('Unexpected error during query plan execution');
}

/**
 * The gateway Apollo Server runs, with the gateway's own query-plan executor in place of
 * @apollo/gateway's: plans still come from @apollo/gateway's query planner and requests still
 * go through the same data sources, but the plan runs and the response is shaped in one pass over
 * an operation compiled once per query. What it does not handle (introspection, `@defer`,
 * subscriptions, `@fromContext`, usage traces) goes to Apollo's executor, counted in
 * `gateway_executor_fallbacks_total{reason}` and logged at debug.
 */
export class FastExecutorGateway implements GatewayInterface {
  private readonly gateway: ApolloGateway;
  private readonly dataSources: ReadonlyMap<string, GraphQLDataSource>;
  private readonly logger: Logger;
  private readonly maxPlans: number;
  private generation: Generation | undefined;
  private apolloExecutor: GatewayExecutor | undefined;

  constructor(options: FastExecutorGatewayOptions) {
    this.gateway = options.gateway;
    this.dataSources = options.dataSources;
    this.logger = options.logger;
    this.maxPlans = options.maxPlans ?? 1000;
    this.gateway.onSchemaLoadOrUpdate(({ apiSchema }) => {
      this.generation = this.generationFor(apiSchema);
    });
  }

  onSchemaLoadOrUpdate(callback: GatewaySchemaLoadOrUpdateCallback): GatewayUnsubscriber {
    return this.gateway.onSchemaLoadOrUpdate(callback);
  }

  async load(options: Parameters<GatewayInterface['load']>[0]): Promise<GatewayLoadResult> {
    const loaded = await this.gateway.load(options);
    this.apolloExecutor = loaded.executor;
    return { ...loaded, executor: (requestContext) => this.execute(requestContext) };
  }

  stop(): Promise<void> {
    return this.gateway.stop();
  }

  private generationFor(graphqlSchema: GraphQLSchema): Generation | undefined {
    const planner = this.gateway.__testing().queryPlanner;
    if (!planner) return undefined;
    const supergraph = planner.supergraph;
    const apiSchema = supergraph.apiSchema();
    return {
      planner,
      apiSchema,
      graphqlSchema,
      types: new ApiTypes(apiSchema),
      supergraphTypes: new SupergraphTypes(supergraph.schema.toGraphQLJSSchema()),
      plans: new Map(),
    };
  }

  private plannerSettings(): PlannerSettings {
    // The gateway reads these from APOLLO_DISABLE_SECURITY_* when constructed; plan as it does.
    const settings = this.gateway as unknown as PlannerSettings;
    return {
      recursiveSelectionsLimitDisabled: settings.recursiveSelectionsLimitDisabled,
      nonLocalSelectionsLimitDisabled: settings.nonLocalSelectionsLimitDisabled,
    };
  }

  private compile(
    generation: Generation,
    document: DocumentNode,
    operationName: string | undefined,
  ): Entry {
    const definition = getOperationAST(document, operationName);
    if (!definition) return { fallback: 'no-operation' };
    const fragments = document.definitions.filter(
      (node): node is FragmentDefinitionNode => node.kind === Kind.FRAGMENT_DEFINITION,
    );
    try {
      const planned = operationFromDocument(generation.apiSchema, document, { operationName });
      const plan = generation.planner.buildQueryPlan(planned, this.plannerSettings());
      const unsupported = unsupportedIn(plan.node);
      if (unsupported) return { fallback: unsupported };
      const operation: Operation = operationFromDocument(
        generation.apiSchema,
        { kind: Kind.DOCUMENT, definitions: [definition, ...fragments] },
        { validate: false },
      );
      return {
        plan,
        compiled: compileOperation(operation, generation.types),
        variableDefinitions: definition.variableDefinitions ?? [],
      };
    } catch (error) {
      if (error instanceof ExecutorFallback) return { fallback: error.reason };
      // Apollo's executor reports whatever went wrong the way clients expect.
      return { fallback: 'error' };
    }
  }

  private entryFor(generation: Generation, requestContext: GatewayGraphQLRequestContext): Entry {
    const operationName = requestContext.request.operationName ?? undefined;
    const key = `${requestContext.queryHash}${operationName ?? ''}`;
    const plans = generation.plans;
    let entry = plans.get(key);
    if (entry) {
      plans.delete(key);
    } else {
      entry = this.compile(generation, requestContext.document, operationName);
      if (plans.size >= this.maxPlans) plans.delete(plans.keys().next().value as string);
    }
    plans.set(key, entry);
    return entry;
  }

  private fallBack(
    requestContext: GatewayGraphQLRequestContext,
    reason: string,
  ): Promise<GatewayExecutionResult> {
    executorFallbacks.inc({ reason });
    (requestContext.logger ?? this.logger).debug(
      `operation ${requestContext.operationName ?? '(anonymous)'} runs on Apollo's executor: ${reason}`,
    );
    if (!this.apolloExecutor) throw new Error('The gateway is not loaded');
    return this.apolloExecutor(requestContext);
  }

  private async execute(
    requestContext: GatewayGraphQLRequestContext,
  ): Promise<GatewayExecutionResult> {
    const generation = this.generation;
    if (!generation) return this.fallBack(requestContext, 'planner');
    if (requestContext.metrics?.captureTraces) return this.fallBack(requestContext, 'traces');
    const entry = this.entryFor(generation, requestContext);
    if ('fallback' in entry) return this.fallBack(requestContext, entry.fallback);
    fastExecutions.inc();

    const variables = requestContext.request.variables;
    if (entry.variableDefinitions.length > 0) {
      const { errors } = getVariableValues(
        generation.graphqlSchema,
        entry.variableDefinitions,
        variables ?? {},
      );
      if (errors) return { errors };
    }

    const run: PlanRun = {
      requestContext,
      operation: entry.compiled.operation,
      services: this.dataSources,
      types: generation.supergraphTypes,
      data: Object.create(null) as Record<string, unknown>,
      errors: [],
    };
    const node = entry.plan.node;
    if (node && node.kind !== 'Subscription') await executePlan(run, node, [], run.data);

    let shaped: ReturnType<typeof shapeResponse>;
    try {
      shaped = shapeResponse(entry.compiled, run.data, variables, generation.types);
    } catch (error) {
      return { errors: [shapingError(error)] };
    }
    const errors = run.errors as GraphQLError[];
    if (errors.length === 0 && shaped.errors.length > 0) {
      // As Apollo does: completion errors after clean fetches are reported, but not as errors.
      return { extensions: { valueCompletion: shaped.errors }, data: shaped.data };
    }
    return errors.length === 0 ? { data: shaped.data } : { errors, data: shaped.data };
  }
}
