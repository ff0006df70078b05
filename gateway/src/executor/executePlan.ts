import { GraphQLDataSourceRequestKind } from '@apollo/gateway/dist/datasources/types';
import type { GraphQLDataSource } from '@apollo/gateway';
import { evaluateCondition, type FetchNode, type PlanNode } from '@apollo/query-planner';
import type { GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import type { Operation } from '@apollo/federation-internals';
import { applyRewrites } from './applyRewrites';
import { downstreamServiceError, type ErrorPathMapper } from './downstreamServiceError';
import { mergeInto } from './mergeInto';
import { selectRepresentation } from './selectRepresentation';
import type { SupergraphTypes } from './SupergraphTypes';

type Data = Record<string, unknown>;
type ResponsePath = (string | number)[];

const hasOwn = (object: object, key: string): boolean =>
  Object.prototype.hasOwnProperty.call(object, key);

/** What one execution of a plan shares: the request, the subgraphs, the data and the errors. */
export interface PlanRun {
  readonly requestContext: GatewayGraphQLRequestContext;
  readonly operation: Operation;
  readonly services: ReadonlyMap<string, GraphQLDataSource>;
  readonly types: SupergraphTypes;
  /** Everything fetched so far, merged; result shaping reads it at the end. */
  readonly data: Data;
  /** Errors of the fetches, in the order they happened. */
  readonly errors: unknown[];
}

/** The data at `path` below `value`, lists flattened (`@`), as @apollo/gateway's cursor moves. */
function dataAt(value: unknown, path: ResponsePath, index: number): unknown {
  if (index === path.length || value === undefined || value === null) return value;
  const element = path[index];
  if (element === '@') {
    const flattened: unknown[] = [];
    for (const item of value as unknown[]) {
      const inner = dataAt(item, path, index + 1);
      if (Array.isArray(inner)) {
        for (const entry of inner) flattened.push(entry);
      } else {
        flattened.push(inner);
      }
    }
    return flattened;
  }
  if (typeof element !== 'string') throw new Error(`Unexpected ${typeof element} found in path`);
  if (Array.isArray(value))
    throw new Error(`Unexpected array in result for path element ${element}`);
  return dataAt(
    hasOwn(value as Data, element) ? (value as Data)[element] : undefined,
    path,
    index + 1,
  );
}

/** Every concrete path `path` (with `@` for list elements) reaches in `data`, in order. */
function hydratedPaths(
  parent: ResponsePath,
  path: ResponsePath,
  index: number,
  data: unknown,
  result: ResponsePath[],
): void {
  if (data === null || data === undefined) return;
  if (index === path.length) {
    result.push(parent.slice());
    return;
  }
  const head = path[index];
  if (head === '@' || (typeof head === 'string' && Array.isArray(data))) {
    if (!Array.isArray(data)) throw new Error('expected array when encountering `@`');
    (data as unknown[]).forEach((value, position) => {
      parent.push(position);
      hydratedPaths(parent, path, head === '@' ? index + 1 : index, value, result);
      parent.pop();
    });
  } else if (typeof head === 'string') {
    if (hasOwn(data as Data, head)) {
      parent.push(head);
      hydratedPaths(parent, path, index + 1, (data as Data)[head], result);
      parent.pop();
    }
  } else {
    throw new Error(`unknown path part "${String(head)}"`);
  }
}

function errorPathMapper(fetch: FetchNode, path: ResponsePath, root: Data): ErrorPathMapper {
  let paths: ResponsePath[] | undefined;
  return (errorPath) => {
    if (fetch.requires && typeof errorPath?.[1] === 'number') {
      if (!paths) {
        paths = [];
        hydratedPaths([], path, 0, root, paths);
      }
      return [...(paths[errorPath[1]] ?? []), ...errorPath.slice(2)];
    }
    return errorPath ? [...path, ...errorPath] : undefined;
  };
}

type SubgraphResponse = Awaited<ReturnType<GraphQLDataSource['process']>>;

function request(
  run: PlanRun,
  service: GraphQLDataSource,
  fetch: FetchNode,
  path: ResponsePath,
  variables: Data,
): Promise<SubgraphResponse> {
  const { requestContext } = run;
  return service.process({
    kind: GraphQLDataSourceRequestKind.INCOMING_OPERATION,
    request: {
      query: fetch.operation,
      variables,
      operationName: fetch.operationName,
      http: undefined,
    },
    incomingRequestContext: requestContext,
    context: requestContext.context,
    document: fetch.operationDocumentNode,
    pathInIncomingRequest: path,
  });
}

/** Records a fetch's errors as @apollo/gateway does, and returns its data. */
function received(
  run: PlanRun,
  fetch: FetchNode,
  path: ResponsePath,
  response: SubgraphResponse,
): Data | null | undefined {
  if (response.errors) {
    const mapPath = errorPathMapper(fetch, path, run.data);
    for (const error of response.errors) {
      run.errors.push(downstreamServiceError(error, fetch.serviceName, mapPath));
    }
    if (!response.extensions?.ftv1) {
      const errorPaths = response.errors.map((error) => ({
        subgraph: fetch.serviceName,
        path: error.path,
      }));
      const metrics = run.requestContext.metrics;
      if (metrics.nonFtv1ErrorPaths) metrics.nonFtv1ErrorPaths.push(...errorPaths);
      else metrics.nonFtv1ErrorPaths = errorPaths;
    }
  }
  return response.data as Data | null | undefined;
}

async function executeFetch(
  run: PlanRun,
  fetch: FetchNode,
  path: ResponsePath,
  data: unknown,
): Promise<void> {
  const service = run.services.get(fetch.serviceName);
  if (!service) throw new Error(`Couldn't find service with name "${fetch.serviceName}"`);
  const entities: Data[] = Array.isArray(data)
    ? (data as unknown[]).filter(
        (entity): entity is Data => entity !== null && entity !== undefined,
      )
    : [data as Data];
  if (entities.length < 1) return;

  const variables = Object.create(null) as Data;
  const provided = run.requestContext.request.variables;
  if (fetch.variableUsages && provided) {
    for (const name of fetch.variableUsages) {
      if (hasOwn(provided, name) && provided[name] !== undefined) variables[name] = provided[name];
    }
  }

  if (!fetch.requires) {
    const answer = received(run, fetch, path, await request(run, service, fetch, path, variables));
    if (answer) applyRewrites(run.types, fetch.outputRewrites, answer);
    for (const entity of entities) mergeInto(entity, answer);
    return;
  }

  // Each distinct representation is sent once; `owners[u]` are the entities it stands for.
  const representations: Data[] = [];
  const everyOne: Data[] = [];
  const everyOwner: Data[] = [];
  let owners: Data[][] = [];
  const uniqueIndex = new Map<string, number>();
  // An entity merged into several places is one object there: seen once, it is not read again.
  const uniqueOfObject = new Map<Data, number>();
  for (const entity of entities) {
    const seen = uniqueOfObject.get(entity);
    if (seen !== undefined) {
      everyOne.push(representations[seen]!);
      everyOwner.push(entity);
      continue;
    }
    const representation = selectRepresentation(run.types, entity, fetch.requires);
    if (representation && representation.__typename) {
      applyRewrites(run.types, fetch.inputRewrites, representation);
      everyOne.push(representation);
      everyOwner.push(entity);
      const key = JSON.stringify(representation);
      const known = uniqueIndex.get(key);
      if (known === undefined) {
        uniqueIndex.set(key, representations.length);
        uniqueOfObject.set(entity, representations.length);
        representations.push(representation);
        owners.push([entity]);
      } else {
        uniqueOfObject.set(entity, known);
        owners[known]!.push(entity);
      }
    }
  }
  if (representations.length < 1) return;
  if ('representations' in variables) {
    throw new Error(`Variables cannot contain key "representations"`);
  }
  let response = await request(run, service, fetch, path, { ...variables, representations });
  let sent = representations;
  if (response.errors && representations.length < everyOne.length) {
    // Which of the places an error belongs to, and in which order a subgraph reports them, only
    // the full list tells: ask again as @apollo/gateway does, one representation per entity.
    sent = everyOne;
    response = await request(run, service, fetch, path, { ...variables, representations: sent });
    owners = everyOwner.map((entity) => [entity]);
  }
  const answer = received(run, fetch, path, response);
  if (!answer) return;
  const fetched = answer._entities;
  if (!(fetched && Array.isArray(fetched))) {
    throw new Error(`Expected "data._entities" in response to be an array`);
  }
  if (fetched.length !== sent.length) {
    throw new Error(`Expected "data._entities" to contain ${sent.length} elements`);
  }
  for (let index = 0; index < fetched.length; index += 1) {
    const entity = fetched[index] as Data | null;
    const sharing = owners[index]!;
    if (entity && !entity.__typename) entity.__typename = sharing[0]!.__typename;
    applyRewrites(run.types, fetch.outputRewrites, entity);
    for (const owner of sharing) mergeInto(owner, entity);
  }
}

/**
 * Runs one node of a query plan at `path` (`data` is what the path reaches): sequences in order,
 * parallel nodes together, conditions on their variable, fetches through the subgraph's data
 * source with their answers merged into the data. A failed fetch records its error and the rest
 * of the plan runs on.
 */
export async function executePlan(
  run: PlanRun,
  node: PlanNode,
  path: ResponsePath,
  data: unknown,
): Promise<void> {
  switch (node.kind) {
    case 'Sequence':
      for (const child of node.nodes) await executePlan(run, child, path, data);
      return;
    case 'Parallel':
      await Promise.all(node.nodes.map((child) => executePlan(run, child, path, data)));
      return;
    case 'Flatten': {
      const moved = dataAt(data, node.path, 0);
      if (!moved) return;
      await executePlan(run, node.node, path.concat(node.path), moved);
      return;
    }
    case 'Fetch':
      try {
        await executeFetch(run, node, path, data);
      } catch (error) {
        run.errors.push(error);
      }
      return;
    case 'Condition': {
      const branch = evaluateCondition(
        node,
        run.operation.variableDefinitions,
        run.requestContext.request.variables,
      )
        ? node.ifClause
        : node.elseClause;
      if (branch) await executePlan(run, branch, path, data);
      return;
    }
    case 'Defer':
      throw new Error('@defer is executed by Apollo');
  }
}
