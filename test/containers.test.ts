import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { devSecretFiles } from '@fedstack/kit';
import { subgraphVariables } from '@fedstack/runtime/subgraphVariables';

const root = resolve(__dirname, '..');

interface ComposeService {
  image?: string;
  command?: string[];
  ports?: string[];
  networks?: string[];
  volumes?: string[];
  healthcheck?: { test?: string[] };
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition?: string }>;
  secrets?: string[];
}

const composeText = readFileSync(join(root, 'docker-compose.yml'), 'utf8');
const compose = parse(composeText, { merge: true }) as {
  services: Record<string, ComposeService>;
  networks: Record<string, { internal?: boolean }>;
  volumes: Record<string, unknown>;
  secrets: Record<string, { file?: string }>;
};

/** The subgraphs and their ports, from the one list of them. */
const supergraph = parse(readFileSync(join(root, 'supergraph.yaml'), 'utf8')) as {
  subgraphs: Record<string, { routing_url: string }>;
};
const subgraphs = Object.keys(supergraph.subgraphs);
const nodeServices = ['gateway', ...subgraphs];
const PORTS: Record<string, number> = {
  gateway: 4000,
  ...Object.fromEntries(
    Object.entries(supergraph.subgraphs).map(([name, { routing_url }]) => [
      name,
      Number(new URL(routing_url).port),
    ]),
  ),
};

const service = (name: string): ComposeService => {
  const found = compose.services[name];
  if (!found) throw new Error(`docker-compose.yml has no service ${name}`);
  return found;
};

/** `${VAR}` or `${VAR:?message}`: filled in from .env, and with no default that could be a secret. */
const REQUIRED_VARIABLE = /^\$\{([A-Z][A-Z0-9_]*)(:\?[^}]*)?\}$/;

/** `postgres://<user>:${<VAR>...}@<host>:<port>/<database>`, the password from the env file. */
const DATABASE_URL =
  /^postgres:\/\/([a-z_][a-z0-9_]*):(\$\{[A-Z][A-Z0-9_]*(?::\?[^}]*)?\})@([a-z][a-z0-9-]*):(\d+)\/([a-z_][a-z0-9_]*)$/;

/**
 * The environment entries of a service that hold a secret value written into the file itself:
 * a secret-looking name whose value is not a `/run/secrets` file or a required variable, or a
 * URL whose password is not a required variable.
 */
function literalSecrets(environment: Record<string, string>): string[] {
  return Object.entries(environment)
    .filter(([name, value]) => {
      if (/PASSWORD|SECRET|PRIVATE_KEY|TOKEN/.test(name)) {
        if (name.endsWith('_FILE')) return !value.startsWith('/run/secrets/');
        return !REQUIRED_VARIABLE.test(value);
      }
      const password = /^[a-z]+:\/\/[^:/@]*:([^@]*)@/.exec(value)?.[1];
      return password !== undefined && !REQUIRED_VARIABLE.test(password);
    })
    .map(([name]) => name);
}

/** The names of the variables that docker-compose.yml interpolates (`$${...}` is a literal `$`). */
const usedVariables = [...composeText.matchAll(/(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)/g)].map(
  (match) => match[1],
);

const envExampleLines = readFileSync(join(root, '.env.example'), 'utf8').split('\n');

describe('docker-compose.yml', () => {
  it('runs the gateway, the three subgraphs, one database server per subgraph and Redis', () => {
    expect(subgraphs.length).toBeGreaterThan(0);
    expect(Object.keys(compose.services).sort()).toEqual(
      [...nodeServices, ...subgraphs.map((name) => `${name}-db`), 'redis'].sort(),
    );
  });

  it('shares one password-protected Redis between the gateway and the users subgraph', () => {
    const redis = service('redis');
    expect(redis.image).toMatch(/^redis:\d+$/);
    // Shared state that may be lost: no volume, nothing written to disk.
    expect(redis.volumes).toBeUndefined();
    const command = redis.command ?? [];
    expect(command[0]).toBe('redis-server');
    const password = command[command.indexOf('--requirepass') + 1];
    expect(password).toMatch(/^\$\{REDIS_PASSWORD:\?/);
    expect(command.slice(command.indexOf('--save'), command.indexOf('--save') + 2)).toEqual([
      '--save',
      '',
    ]);
    // The health check authenticates from the environment, not from its command line.
    expect(redis.environment?.REDISCLI_AUTH).toBe(password);
    expect(redis.healthcheck?.test).toEqual(['CMD', 'redis-cli', '-h', '127.0.0.1', 'ping']);
    for (const name of ['gateway', 'users']) {
      expect(service(name).environment?.REDIS_URL).toBe(`redis://:${password}@redis:6379`);
      expect(service(name).depends_on?.redis).toEqual({ condition: 'service_healthy' });
    }
    // Orders and suppliers keep nothing that replicas share.
    for (const name of subgraphs.filter((name) => name !== 'users')) {
      expect(service(name).environment?.REDIS_URL).toBeUndefined();
    }
  });

  it('runs each database server on postgres:15 with a named volume of its own', () => {
    const volumes = subgraphs.map((name) => {
      const db = service(`${name}-db`);
      expect(db.image).toBe('postgres:15');
      expect(db.volumes).toEqual([`${name}-db-data:/var/lib/postgresql/data`]);
      return `${name}-db-data`;
    });
    // The three volumes are the only ones: the subgraphs and the gateway keep no state of their own.
    expect(Object.keys(compose.volumes).sort()).toEqual([...volumes].sort());
    for (const name of nodeServices) expect(service(name).volumes).toBeUndefined();
  });

  it("points each subgraph's <NAME>_DATABASE_URL at its own server, as that server's role", () => {
    for (const name of subgraphs) {
      const variable = subgraphVariables(name).databaseUrl;
      const environment = service(name).environment ?? {};
      // Exactly one database URL per subgraph, under the name the kit reads.
      expect(Object.keys(environment).filter((key) => key.endsWith('_DATABASE_URL'))).toEqual([
        variable,
      ]);
      const match = DATABASE_URL.exec(environment[variable] ?? '');
      expect(match).not.toBeNull();
      const [, user, password, host, port, database] = match ?? [];
      const server = service(`${name}-db`).environment ?? {};
      expect(host).toBe(`${name}-db`);
      expect(port).toBe('5432');
      expect(user).toBe(server.POSTGRES_USER);
      expect(database).toBe(server.POSTGRES_DB);
      // The subgraph and its server take the password from the same variable of the env file.
      expect(password).toBe(server.POSTGRES_PASSWORD);
      const prefix = subgraphVariables(name).port.replace(/_PORT$/, '');
      expect(password).toMatch(new RegExp(`^\\$\\{${prefix}_DB_PASSWORD:\\?`));
    }
  });

  it('gives every service a health check: HTTP for the node services, pg_isready over TCP for the databases', () => {
    for (const name of nodeServices) {
      const port = PORTS[name];
      expect(service(name).environment?.[subgraphVariables(name).port]).toBe(String(port));
      const test = service(name).healthcheck?.test ?? [];
      expect(test[0]).toBe('CMD');
      expect(test.join(' ')).toContain(`http://127.0.0.1:${port}/health`);
    }
    for (const name of subgraphs) {
      const server = service(`${name}-db`).environment ?? {};
      expect(service(`${name}-db`).healthcheck?.test).toEqual([
        'CMD',
        'pg_isready',
        '-h',
        '127.0.0.1',
        '-p',
        '5432',
        '-U',
        server.POSTGRES_USER,
        '-d',
        server.POSTGRES_DB,
      ]);
    }
  });

  it('starts each subgraph once its database is healthy, and the gateway once the subgraphs are', () => {
    const needsRedis = (name: string) =>
      service(name).environment?.REDIS_URL === undefined
        ? {}
        : { redis: { condition: 'service_healthy' } };
    expect(service('redis').depends_on).toBeUndefined();
    for (const name of subgraphs) {
      expect(service(`${name}-db`).depends_on).toBeUndefined();
      expect(service(name).depends_on).toEqual({
        [`${name}-db`]: { condition: 'service_healthy' },
        ...needsRedis(name),
      });
    }
    expect(service('gateway').depends_on).toEqual({
      ...Object.fromEntries(subgraphs.map((name) => [name, { condition: 'service_healthy' }])),
      ...needsRedis('gateway'),
    });
  });

  it('publishes only the gateway port', () => {
    for (const [name, entry] of Object.entries(compose.services)) {
      if (name === 'gateway') expect(entry.ports).toEqual(['${GATEWAY_PORT:-4000}:4000']);
      else expect(entry.ports).toBeUndefined();
    }
  });

  it('keeps the subgraphs and the databases on an internal network only', () => {
    expect(compose.networks.internal?.internal).toBe(true);
    for (const [name, entry] of Object.entries(compose.services)) {
      if (name === 'gateway') expect(entry.networks).toEqual(['internal', 'public']);
      else expect(entry.networks).toEqual(['internal']);
    }
  });

  it("serves each node service's metrics on METRICS_PORT, which no service publishes", () => {
    for (const name of nodeServices) {
      const port = service(name).environment?.METRICS_PORT;
      expect(port).toMatch(/^\d+$/);
      for (const published of Object.values(compose.services).flatMap((s) => s.ports ?? [])) {
        expect(published).not.toContain(String(port));
      }
    }
  });

  it('runs each node service in production mode from its own entry point', () => {
    for (const name of nodeServices) {
      expect(service(name).environment?.NODE_ENV).toBe('production');
      const entry = name === 'gateway' ? 'gateway/src/main.ts' : `subgraphs/${name}/src/main.ts`;
      expect(service(name).command).toContain(entry);
    }
  });

  it("installs every workspace's dependencies in the image, from the workspaces' own package.json", () => {
    const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
    const workspaces = (
      JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { workspaces: string[] }
    ).workspaces;
    // Every subgraph of supergraph.yaml is a workspace, and every workspace is in the deps stage.
    for (const name of subgraphs) expect(workspaces).toContain(`subgraphs/${name}`);
    const copied = [...dockerfile.matchAll(/^COPY (\S+)\/package\.json \1\/$/gm)].map(
      (match) => match[1],
    );
    expect(copied.sort()).toEqual([...workspaces].sort());
    expect(dockerfile.indexOf('RUN npm ci')).toBeGreaterThan(
      dockerfile.lastIndexOf('/package.json '),
    );
  });

  it('mounts the private key and the signing secret from the files `npm run secrets` writes', () => {
    const files = devSecretFiles(root);
    expect(compose.secrets).toEqual({
      gateway_signing_secret: { file: `./secrets/${basename(files.signingSecret)}` },
      jwt_private_key: { file: `./secrets/${basename(files.jwtPrivateKey)}` },
    });
    // Only the users subgraph signs tokens; the gateway takes the public keys from its JWKS.
    for (const name of nodeServices) {
      const secrets = service(name).secrets ?? [];
      expect(secrets.includes('jwt_private_key')).toBe(name === 'users');
      expect(secrets).toContain('gateway_signing_secret');
    }
    const gateway = service('gateway').environment ?? {};
    expect(gateway.JWT_JWKS_URL).toBe(`http://users:${PORTS.users}/.well-known/jwks.json`);
    expect(gateway.JWT_PUBLIC_KEY_FILE).toBeUndefined();
  });

  it('holds no secret value: passwords come from the env file, keys from secret files', () => {
    // Control: the check finds secrets written into a service's environment.
    expect(
      literalSecrets({
        POSTGRES_PASSWORD: 'hunter2-hunter2',
        USERS_DATABASE_URL: 'postgres://users:hunter2-hunter2@users-db:5432/users',
        GATEWAY_SIGNING_SECRET: '${GATEWAY_SIGNING_SECRET:-a-default-is-a-secret}',
        JWT_PRIVATE_KEY_FILE: './jwt-private.pem',
      }).sort(),
    ).toEqual([
      'GATEWAY_SIGNING_SECRET',
      'JWT_PRIVATE_KEY_FILE',
      'POSTGRES_PASSWORD',
      'USERS_DATABASE_URL',
    ]);
    for (const [name, entry] of Object.entries(compose.services)) {
      expect({ name, literal: literalSecrets(entry.environment ?? {}) }).toEqual({
        name,
        literal: [],
      });
    }
    for (const name of subgraphs) {
      expect(service(`${name}-db`).environment?.POSTGRES_PASSWORD).toMatch(REQUIRED_VARIABLE);
    }
  });
});

describe('.env.example', () => {
  const listed = envExampleLines.flatMap((line, index) => {
    const name = /^([A-Z][A-Z0-9_]*)=/.exec(line)?.[1];
    return name === undefined ? [] : [{ name, index, value: line.slice(name.length + 1) }];
  });

  it('lists every variable docker-compose.yml uses, and no other', () => {
    expect(usedVariables).toContain('USERS_DB_PASSWORD');
    expect(listed.map((entry) => entry.name).sort()).toEqual([...new Set(usedVariables)].sort());
  });

  it('gives each variable a comment and a placeholder value', () => {
    for (const { name, index, value } of listed) {
      expect({ name, comment: envExampleLines[index - 1]?.startsWith('# ') }).toEqual({
        name,
        comment: true,
      });
      expect({ name, value: value.length > 0 }).toEqual({ name, value: true });
    }
  });

  it('is committed, while .env is ignored by git', () => {
    const ignored = (path: string) =>
      spawnSync('git', ['check-ignore', '--quiet', '--no-index', path], { cwd: root }).status;
    expect(ignored('.env')).toBe(0);
    expect(ignored('.env.example')).toBe(1);
  });

  it('stays out of the image: .env is not sent to the Docker build', () => {
    // `COPY . .` in the Dockerfile would otherwise put the database passwords into the image.
    const dockerignore = readFileSync(join(root, '.dockerignore'), 'utf8').split('\n');
    expect(dockerignore).toContain('.env');
    expect(dockerignore).not.toContain('.env.example');
  });
});
