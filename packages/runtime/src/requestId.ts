import { randomUUID } from 'node:crypto';

/** A caller-chosen id is kept only if it is short and plain, as it ends up in logs and headers. */
export const ACCEPTED_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The request id to use: `given` when it is acceptable, else a fresh UUID. */
export function requestIdOf(given: string | undefined): string {
  return given !== undefined && ACCEPTED_REQUEST_ID.test(given) ? given : randomUUID();
}
