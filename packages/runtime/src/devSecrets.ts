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

/**
 * Written into every piece of generated development key material (a first line before each PEM
 * block, a prefix of the signing secret), so production recognises and refuses it wherever it was
 * copied from. PEM readers skip text before `-----BEGIN`, so the keys work as they are.
 */
export const DEVELOPMENT_KEY_MARKER = 'fedstack-development-key';

const PEM_MARKER_LINE = `${DEVELOPMENT_KEY_MARKER}: generated for development; refused when NODE_ENV=production\n`;

/** Whether `value` is generated development key material (it carries `DEVELOPMENT_KEY_MARKER`). */
export function isDevelopmentKeyMaterial(value: string): boolean {
  return value.includes(DEVELOPMENT_KEY_MARKER);
}

/** Where the development secrets live inside `DATA_DIR`. */
export function devSecretFiles(dataDir: string): SecretSetFiles {
  return secretSetFiles(join(dataDir, 'keys'));
}

/**
 * Writes a fresh secret set (an ES256 key pair for access tokens and the gateway's signing secret)
 * into `dir` unless it is already complete; the folder is 0700 and every file 0600. Several
 * services may start at once and call this: the set is written into a temporary folder and
 * renamed into place, so every caller reads the same complete set, whoever wins.
 *
 * `development` (default false) marks the material with `DEVELOPMENT_KEY_MARKER`.
 */
export function ensureSecretSet(
  dir: string,
  options: { development?: boolean } = {},
): SecretSetFiles {
  const files = secretSetFiles(dir);
  if (existsSync(files.jwtPrivateKey)) return files;
  const parent = dirname(dir);
  mkdirSync(parent, { recursive: true, mode: 0o700 });
  // mkdtemp creates the folder 0700.
  const staging = mkdtempSync(join(parent, '.keys-'));
  const pemPrefix = options.development ? PEM_MARKER_LINE : '';
  const secretPrefix = options.development ? `${DEVELOPMENT_KEY_MARKER}.` : '';
  try {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const staged = secretSetFiles(staging);
    writeFileSync(
      staged.jwtPublicKey,
      pemPrefix + publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      { mode: 0o600 },
    );
    writeFileSync(staged.signingSecret, secretPrefix + randomBytes(32).toString('base64url'), {
      mode: 0o600,
    });
    // The private key goes last: its presence marks a complete set.
    writeFileSync(
      staged.jwtPrivateKey,
      pemPrefix + privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
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

/** The development secrets, generated into `DATA_DIR/keys` on first use and marked as such. */
export function ensureDevSecrets(dataDir: string): SecretSetFiles {
  return ensureSecretSet(devSecretFiles(dataDir).dir, { development: true });
}

export function readSecretFile(path: string): string {
  return readFileSync(path, 'utf8').trim();
}
