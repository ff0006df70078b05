import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ensureSecretSet } from '@fedstack/kit';

/**
 * `npm run secrets [dir]`: writes a production secret set (ES256 key pair, gateway signing
 * secret) into `dir` (default ./secrets; folder 0700, files 0600) unless one is there, for
 * docker-compose.yml to mount, then prints the variables each service needs to use it.
 */
const dir = resolve(process.argv[2] ?? 'secrets');
const existed = existsSync(dir) && existsSync(resolve(dir, 'jwt-private.pem'));
const files = ensureSecretSet(dir);
const signing = `GATEWAY_SIGNING_SECRET_FILE=${files.signingSecret}`;
console.log(
  [
    `${existed ? 'kept the secret set already' : 'wrote a new secret set'} in ${files.dir}`,
    'set these variables (docker-compose.yml mounts the same files as Docker secrets):',
    `  users:      JWT_PRIVATE_KEY_FILE=${files.jwtPrivateKey}`,
    `              ${signing}`,
    `  gateway:    JWT_PUBLIC_KEY_FILE=${files.jwtPublicKey}`,
    `              ${signing}`,
    `  orders:     ${signing}`,
    `  suppliers:  ${signing}`,
  ].join('\n'),
);
