import { badUserInput } from '@fedstack/runtime/errors';

export interface Page {
  limit: number;
  offset: number;
}

/** Validates `limit` (1 to 100) and `offset` (0 or more) as the contract defines them. */
export function readPage(args: { limit?: number | null; offset?: number | null }): Page {
  const limit = args.limit ?? 20;
  const offset = args.offset ?? 0;
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
    throw badUserInput('limit', `must be between 1 and 100, got ${limit}`);
  }
  if (!Number.isInteger(offset) || offset < 0) {
    throw badUserInput('offset', `must be 0 or more, got ${offset}`);
  }
  return { limit, offset };
}

/** Checks a string argument's trimmed length and returns it trimmed. */
export function readText(field: string, value: string, { min = 1, max = 200 } = {}): string {
  const text = value.trim();
  if (text.length < min || text.length > max) {
    throw badUserInput(field, `must be ${min} to ${max} characters, got ${text.length}`);
  }
  return text;
}

/** Parses a client-supplied ID of a row with an integer key; anything else yields null. */
export function parseId(id: string): number | null {
  if (!/^[1-9]\d{0,15}$/.test(id)) return null;
  const value = Number(id);
  return Number.isSafeInteger(value) ? value : null;
}

/** The longest ID a client may send; every key in this stack is far shorter. */
export const MAX_ID_LENGTH = 64;

/**
 * Checks the length of an ID argument and returns it: longer than `MAX_ID_LENGTH` is
 * `BAD_USER_INPUT` naming `field`. Any shorter string is left to the lookup, which finds nothing
 * for a malformed one (null in queries, `NOT_FOUND` in mutations).
 */
export function readId(field: string, id: string): string {
  if (id.length > MAX_ID_LENGTH) {
    throw badUserInput(field, `must be at most ${MAX_ID_LENGTH} characters, got ${id.length}`);
  }
  return id;
}
