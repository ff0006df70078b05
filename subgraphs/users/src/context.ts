import type { RequestScope } from '@fedstack/kit';
import type { RegisterThrottle } from './auth/registerThrottle';
import type { Sessions } from './auth/sessions';
import type { Loaders } from './loaders';
import type { Models } from './models';
import type { Database } from '@fedstack/kit';

/** The per-request context of the users subgraph. */
export interface Context extends RequestScope {
  loaders: Loaders;
  models: Models;
  db: Database;
  sessions: Sessions;
  /** Registrations per client address; shared by every request of the process. */
  registerThrottle: RegisterThrottle;
  /**
   * Password checks and hashes run by `login` and `register` in this request so far: at most one
   * is allowed, so that one request with many aliased `login` fields cannot run many guesses.
   */
  passwordWork: number;
}
