import { badUserInput } from '@fedstack/kit';
import { SEED_ACCOUNTS } from '../seed';
import { readPassword } from '../userInput';

/**
 * A few of the most used passwords of 8 characters or more (from the public breach-corpus top
 * lists), compared regardless of case. Not a breach check: it stops the obvious first guesses.
 */
const COMMON_PASSWORDS = new Set([
  '00000000',
  '11111111',
  '12345678',
  '123456789',
  '1234567890',
  '1q2w3e4r',
  '1qaz2wsx',
  'abc12345',
  'abcd1234',
  'admin123',
  'administrator',
  'baseball',
  'changeme',
  'fedstack',
  'football',
  'iloveyou',
  'letmein1',
  'passw0rd',
  'password',
  'password1',
  'password123',
  'princess',
  'qwerty123',
  'qwertyui',
  'qwertyuiop',
  'sunshine',
  'superman',
  'trustno1',
  'welcome1',
  'zaq12wsx',
]);

/**
 * An account password that is not trivially guessed, for accounts an operator creates by hand:
 * 8 to 128 characters, not the username, not a development seed password (published in the
 * README) and not one of the most common passwords. Errors name `field`.
 */
export function readStrongPassword(field: string, password: string, username: string): string {
  readPassword(field, password);
  const lower = password.toLowerCase();
  if (lower === username.toLowerCase()) throw badUserInput(field, 'must not be the username');
  if (SEED_ACCOUNTS.some((account) => account.password === password)) {
    throw badUserInput(field, 'is a development seed password, published in the README');
  }
  if (COMMON_PASSWORDS.has(lower)) {
    throw badUserInput(field, 'is one of the most common passwords; choose another');
  }
  return password;
}
