import { badUserInput, type Role } from '@fedstack/kit';
import { DELETED_USERNAME } from './loaders';

const USERNAME = /^[A-Za-z0-9._-]{3,32}$/;

/**
 * 3 to 32 letters, digits, `.`, `_` or `-`; never the name a deleted account's references show
 * (`deleted-user`, in any case), which nobody may pass themselves off as.
 */
export function readUsername(field: string, value: string): string {
  if (!USERNAME.test(value)) {
    throw badUserInput(field, 'must be 3 to 32 characters of letters, digits, ".", "_" or "-"');
  }
  if (value.toLowerCase() === DELETED_USERNAME) {
    throw badUserInput(field, `"${DELETED_USERNAME}" is reserved`);
  }
  return value;
}

/** Contains `@`, at most 254 characters. */
export function readEmail(field: string, value: string): string {
  const email = value.trim();
  const at = email.indexOf('@');
  if (email.length > 254 || at < 1 || at === email.length - 1 || /\s/.test(email)) {
    throw badUserInput(field, 'must be an email address of at most 254 characters');
  }
  return email;
}

/** 8 to 128 characters. */
export function readPassword(field: string, value: string): string {
  if (value.length < 8 || value.length > 128) {
    throw badUserInput(field, `must be 8 to 128 characters, got ${value.length}`);
  }
  return value;
}

export function readRole(field: string, value: string): Role {
  if (value !== 'ADMIN' && value !== 'USER') throw badUserInput(field, 'must be ADMIN or USER');
  return value;
}
