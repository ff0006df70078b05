import { generateKeyPairSync, randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { basename, join } from 'node:path';

/** Where the development secrets live inside `DATA_DIR`. */
export interface DevSecretFiles {
  dir: string;
  jwtPrivateKey: string;
  jwtPublicKey: string;
  signingSecret: string;
}

export function devSecretFiles(dataDir: string): DevSecretFiles {
  const dir = join(dataDir, 'keys');
  return {
    dir,
    jwtPrivateKey: join(dir, 'jwt-private.pem'),
    jwtPublicKey: join(dir, 'jwt-public.pem'),
    signingSecret: join(dir, 'gateway-signing.secret'),
  };
}

/**
 * Creates the development secrets (an ES256 key pair for access tokens and the gateway's signing
 * secret) in `DATA_DIR/keys` unless they exist. Several services start at once and each may call
 * this: the set is written into a temporary folder and renamed into place, so every caller reads
 * the same complete set whoever wins.
 */
export function ensureDevSecrets(dataDir: string): DevSecretFiles {
  const files = devSecretFiles(dataDir);
  if (existsSync(files.dir)) return files;
  mkdirSync(dataDir, { recursive: true });
  const staging = mkdtempSync(join(dataDir, '.keys-'));
  try {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const staged = devSecretFiles(staging).dir;
    const write = (path: string, text: string) =>
      writeFileSync(join(staged, basename(path)), text, { mode: 0o600 });
    mkdirSync(staged);
    write(files.jwtPrivateKey, privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
    write(files.jwtPublicKey, publicKey.export({ type: 'spki', format: 'pem' }).toString());
    write(files.signingSecret, randomBytes(32).toString('base64url'));
    renameSync(staged, files.dir);
    rmSync(staging, { recursive: true, force: true });
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(files.dir)) throw error;
  }
  return files;
}

export function readSecretFile(path: string): string {
  return readFileSync(path, 'utf8').trim();
}
