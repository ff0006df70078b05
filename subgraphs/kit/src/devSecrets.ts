import { generateKeyPairSync, randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';

/** The files of one secret set. */
export interface SecretSetFiles {
  dir: string;
  jwtPrivateKey: string;
  jwtPublicKey: string;
  signingSecret: string;
}

function secretSetFiles(dir: string): SecretSetFiles {
  return {
    dir,
    jwtPrivateKey: join(dir, 'jwt-private.pem'),
    jwtPublicKey: join(dir, 'jwt-public.pem'),
    signingSecret: join(dir, 'gateway-signing.secret'),
  };
}

/** Where the development secrets live inside `DATA_DIR`. */
export function devSecretFiles(dataDir: string): SecretSetFiles {
  return secretSetFiles(join(dataDir, 'keys'));
}

/**
 * Writes a fresh secret set (an ES256 key pair for access tokens and the gateway's signing secret)
 * into `dir` unless it is already complete. Several services may start at once and call this: the
 * set is written into a temporary folder and renamed into place, so every caller reads the same
 * complete set, whoever wins.
 */
export function ensureSecretSet(dir: string): SecretSetFiles {
  const files = secretSetFiles(dir);
  if (existsSync(files.jwtPrivateKey)) return files;
  const parent = dirname(dir);
  mkdirSync(parent, { recursive: true });
  const staging = mkdtempSync(join(parent, '.keys-'));
  try {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const staged = secretSetFiles(staging);
    writeFileSync(
      staged.jwtPublicKey,
      publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      { mode: 0o644 },
    );
    writeFileSync(staged.signingSecret, randomBytes(32).toString('base64url'), { mode: 0o600 });
    // The private key goes last: its presence marks a complete set.
    writeFileSync(
      staged.jwtPrivateKey,
      privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      { mode: 0o600 },
    );
    if (existsSync(dir) && readdirSync(dir).length === 0) rmdirSync(dir);
    renameSync(staging, dir);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(files.jwtPrivateKey)) throw error;
  }
  return files;
}

/** The development secrets, generated into `DATA_DIR/keys` on first use. */
export function ensureDevSecrets(dataDir: string): SecretSetFiles {
  return ensureSecretSet(devSecretFiles(dataDir).dir);
}

export function readSecretFile(path: string): string {
  return readFileSync(path, 'utf8').trim();
}
