import argon2 from 'argon2';

/**
 * argon2id with OWASP's minimum recommended cost (19 MiB of memory, 2 iterations, 1 lane): memory
 * hardness makes GPU guessing expensive, and the encoded hash carries its own salt and
 * parameters, so the cost can be raised later without invalidating stored hashes.
 */
const OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, OPTIONS);
}

/** The password hash of an account that signs in elsewhere: no password verifies against it. */
export const NO_PASSWORD = '!external';

let dummyHash: Promise<string> | undefined;

/**
 * Checks `password` against `hash`. With no hash (unknown user) it checks against a dummy hash,
 * so that an unknown username takes as long as a wrong password and the two cannot be told apart.
 */
export async function verifyPassword(hash: string | null, password: string): Promise<boolean> {
  dummyHash ??= hashPassword('not-a-real-password-just-for-timing');
  // An account with no usable password (one that signs in through an external issuer) is checked
  // like an unknown one: as slowly, and never true.
  const usable = hash !== null && hash.startsWith('$argon2');
  const target = usable ? hash : await dummyHash;
  try {
    const ok = await argon2.verify(target, password);
    return ok && usable;
  } catch {
    return false;
  }
}
