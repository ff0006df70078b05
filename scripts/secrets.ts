import { resolve } from 'node:path';
import { ensureSecretSet } from '@fedstack/kit';

/**
 * `npm run secrets [dir]`: writes a production secret set (ES256 key pair, gateway signing
 * secret) into `dir` (default ./secrets) unless one is there, for docker-compose.yml to mount.
 */
const dir = resolve(process.argv[2] ?? 'secrets');
const files = ensureSecretSet(dir);
console.log(`secrets in ${files.dir}: jwt-private.pem, jwt-public.pem, gateway-signing.secret`);
