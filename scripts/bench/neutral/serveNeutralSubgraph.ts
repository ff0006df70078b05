import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildSubgraphSchema } from '@apollo/subgraph';
import {
  execute,
  parse,
  validate,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLSchema,
} from 'graphql';
import type { NeutralSubgraph } from './neutralSubgraphs';

/** A running neutral subgraph. */
export interface NeutralSubgraphServer {
  name: string;
  /** `http://127.0.0.1:<port>/graphql`. */
  url: string;
  /** GraphQL requests served so far. */
  requests(): number;
  close(): Promise<void>;
}

interface GraphQLRequest {
  query?: unknown;
  variables?: unknown;
  operationName?: unknown;
}

/** Parsed and validated documents by query text: gateways send the same few fetches again. */
const DOCUMENT_CACHE_LIMIT = 1000;

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

function documentFor(
  schema: GraphQLSchema,
  cache: Map<string, DocumentNode | ExecutionResult>,
  query: string,
): DocumentNode | ExecutionResult {
  let entry = cache.get(query);
  if (entry === undefined) {
    try {
      const document = parse(query);
      const errors = validate(schema, document);
      entry = errors.length > 0 ? { errors } : document;
    } catch (error) {
      entry = { errors: [{ message: (error as Error).message }] } as unknown as ExecutionResult;
    }
    if (cache.size >= DOCUMENT_CACHE_LIMIT) cache.clear();
    cache.set(query, entry);
  }
  return entry;
}

async function answer(
  schema: GraphQLSchema,
  cache: Map<string, DocumentNode | ExecutionResult>,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  if (req.method !== 'POST') return send(res, 405, { errors: [{ message: 'POST only' }] });
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  let body: GraphQLRequest;
  try {
    body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as GraphQLRequest;
  } catch {
    return send(res, 400, { errors: [{ message: 'body is not JSON' }] });
  }
  if (typeof body.query !== 'string') {
    return send(res, 400, { errors: [{ message: 'query must be a string' }] });
  }
  const document = documentFor(schema, cache, body.query);
  if (!('kind' in document)) return send(res, 400, document);
  const result = await execute({
    schema,
    document,
    variableValues: (body.variables ?? undefined) as Record<string, unknown> | undefined,
    operationName: typeof body.operationName === 'string' ? body.operationName : undefined,
  });
  send(res, 200, result);
}

/**
 * Serves one neutral subgraph on bare `node:http`: `@apollo/subgraph`'s schema executed by
 * graphql-js, with parsed documents cached, so that the subgraphs cost little next to the
 * gateways under test. Listens on 127.0.0.1:`port` (default 0, any free port).
 */
export function serveNeutralSubgraph(
  subgraph: NeutralSubgraph,
  port = 0,
): Promise<NeutralSubgraphServer> {
  const schema = buildSubgraphSchema({
    typeDefs: parse(subgraph.typeDefs),
    resolvers: subgraph.resolvers,
  });
  const cache = new Map<string, DocumentNode | ExecutionResult>();
  let requests = 0;
  const server: Server = createServer((req, res) => {
    requests += 1;
    answer(schema, cache, req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, { errors: [{ message: (error as Error).message }] });
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 60_000;
  return new Promise((resolveServer, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const { port: bound } = server.address() as AddressInfo;
      resolveServer({
        name: subgraph.name,
        url: `http://127.0.0.1:${bound}/graphql`,
        requests: () => requests,
        close: () =>
          new Promise((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
