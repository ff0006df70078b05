import { AsyncLocalStorage } from 'node:async_hooks';
import type { ServerResponse } from 'node:http';
import type { Sequelize } from 'sequelize';

/** Thrown instead of starting SQL for a request whose caller has gone. */
export class RequestAbortedError extends Error {
  override name = 'RequestAbortedError';

  constructor() {
    super('the caller closed the connection; no further SQL is started for this request');
  }
}

const requestSignal = new AsyncLocalStorage<AbortSignal>();

/**
 * Runs `fn` (the rest of a request) with an `AbortSignal`, passed to it and kept in the async
 * scope, that aborts when the connection closes before the answer is sent, as when the gateway
 * gives up on this subgraph (its timeout) and drops the connection.
 */
export function runInAbortScope<T>(res: ServerResponse, fn: (signal: AbortSignal) => T): T {
  const controller = new AbortController();
  const abort = () => {
    if (!res.writableFinished) controller.abort(new RequestAbortedError());
  };
  res.once('close', abort);
  if (res.destroyed) abort();
  return requestSignal.run(controller.signal, fn, controller.signal);
}

/**
 * Makes `sequelize` refuse to start a statement for a request whose caller has gone (see
 * `runInAbortScope`): the resolver that asked fails with `RequestAbortedError`, and the
 * resolvers after it start nothing. A statement already running is not interrupted: on SQLite
 * all requests share one connection, whose `interrupt()` would also stop other requests'
 * statements, and PostgreSQL would need a second connection to cancel it. Statements outside a
 * request (migrations, readiness) are never refused.
 */
export function refuseQueriesOfAbortedRequests(sequelize: Sequelize): void {
  sequelize.addHook('beforeQuery', 'refuseQueriesOfAbortedRequests', () => {
    if (requestSignal.getStore()?.aborted) throw new RequestAbortedError();
  });
}
