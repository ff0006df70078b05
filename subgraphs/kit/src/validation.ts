import { badUserInput } from './errors';

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
