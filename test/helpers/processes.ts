import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  createLogger,
  devSecretFiles,
  migrateSubgraph,
  openDatabase,
  openSubgraphDatabase,
  type Env,
  type SeedRefs,
} from '@fedstack/kit';
import { Sequelize } from 'sequelize';
import { freePort } from '../../scripts/freePort';
import { mainFileOf, SUBGRAPHS } from '../../scripts/subgraphs';

export { freePort };
import {
  loginAt,
  postGraphQL,
  postSignedToSubgraph,
  type GraphQLBody,
  type Session,
  type StackResponse,
} from './client';

export { postGraphQL } from './client';
import { subgraphVariables } from '@fedstack/runtime/subgraphVariables';

export const ROOT = resolve(__dirname, '..', '..');

/** A service: `gateway`, or a subgraph of `supergraph.yaml`. */
export type ServiceName = string;
/**
 * One value per service. The subgraphs come from `supergraph.yaml`; the ones this repository
 * ships are named so that tests written against them read without checks.
 */
export type ByService<T> = Record<'users' | 'orders' | 'suppliers' | 'gateway', T> &
  Record<string, T>;
/** The value of service `name` in `map`; throws, naming it, when there is none. */
export function serviceOf<T>(map: Readonly<Record<string, T>>, name: string): T {
  const value = map[name];
  if (value === undefined) throw new Error(`no service "${name}" in this stack`);
  return value;
}

/** Every subgraph of `supergraph.yaml`, in seed order. */
export const SUBGRAPH_NAMES: readonly string[] = SUBGRAPHS.map((definition) => definition.name);

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` every 100 ms until it returns true; throws after `timeoutMs` naming `what`. */
export async function waitFor(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(100);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** One service running as its own process (`node --import tsx <entry>`), as `npm start` runs it. */
export interface ServiceProcess {
  name: ServiceName;
  port: number;
  /** `http://127.0.0.1:<port>`. */
  origin: string;
  child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  /** The JSON lines the service logged on stdout (other lines skipped). */
  logs(): Array<Record<string, unknown>>;
  exited: Promise<Exit>;
  /** Sends `signal` (default SIGTERM) and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<Exit>;
}

/** Starts a service; resolves once it answers `GET /health` (unless `waitHealthy` is false). */
export async function spawnService(
  name: ServiceName,
  env: Env,
  options: { port?: number; waitHealthy?: boolean; timeoutMs?: number } = {},
): Promise<ServiceProcess> {
  const port = options.port ?? (await freePort());
  const portVariable = subgraphVariables(name).port;
  const child = spawn(process.execPath, ['--import', 'tsx', mainFileOf(name)], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env, [portVariable]: String(port) },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<Exit>((resolveExit) =>
    child.once('exit', (code, signal) => resolveExit({ code, signal })),
  );
  const service: ServiceProcess = {
    name,
    port,
    origin: `http://127.0.0.1:${port}`,
    child,
    stdout: () => out,
    stderr: () => err,
    logs: () =>
      out
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .flatMap((line) => {
          try {
            return [JSON.parse(line) as Record<string, unknown>];
          } catch {
            return [];
          }
        }),
    exited,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
  if (options.waitHealthy !== false) {
    let exitedEarly = false;
    void exited.then(() => (exitedEarly = true));
    try {
      await waitFor(
        `${name} on port ${port}`,
        async () => {
          if (exitedEarly) throw new Error(`${name} exited before it was healthy:\n${err}${out}`);
          return isHealthy(service.origin);
        },
        options.timeoutMs ?? 30_000,
      );
    } catch (error) {
      // A service that never became healthy must not outlive the test that started it.
      await service.stop('SIGKILL');
      throw error;
    }
  }
  return service;
}

/** Whether `GET <origin>/health` answers 200. */
export async function isHealthy(origin: string): Promise<boolean> {
  try {
    const response = await fetch(`${origin}/health`, { signal: AbortSignal.timeout(1000) });
    return response.ok;
  } catch {
    return false;
  }
}

/**
 * Whether a process with this id is running: it exists and is not a zombie (an exited process
 * whose parent died before reaping it, left for an init that may be slow to).
 */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const state = execFileSync('ps', ['-o', 'stat=', '-p', String(pid)], { encoding: 'utf8' });
    return state.trim() !== '' && !state.trim().startsWith('Z');
  } catch {
    // ps exits 1 when the process is gone.
    return false;
  }
}

/** Every process below `pid` (children, grandchildren, ...), as `ps` lists them now. */
export function descendantsOf(pid: number): number[] {
  const parents = new Map<number, number[]>();
  const table = execFileSync('ps', ['-A', '-o', 'pid=,ppid='], { encoding: 'utf8' });
  for (const line of table.split('\n')) {
    const [child, parent] = line.trim().split(/\s+/).map(Number);
    if (child === undefined || parent === undefined || Number.isNaN(parent)) continue;
    parents.set(parent, [...(parents.get(parent) ?? []), child]);
  }
  const found: number[] = [];
  const queue = [pid];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    const children = parents.get(next) ?? [];
    found.push(...children);
    queue.push(...children);
  }
  return found;
}

/** A real `npm run <script>` process, as an operator starts it. */
export interface NpmProcess {
  child: ChildProcessWithoutNullStreams;
  /** Standard output and error, interleaved. */
  output(): string;
  exited: Promise<Exit>;
}

/**
 * Runs `npm run <script>` from the repository root with `env` on top of this process's
 * environment; `detached` puts it in a process group of its own, so that a test can signal the
 * whole group as a terminal's Ctrl-C does.
 */
export function runNpm(script: string, env: Env, options: { detached?: boolean } = {}): NpmProcess {
  const child = spawn('npm', ['run', script], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: options.detached ?? false,
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<Exit>((resolveExit) =>
    child.once('exit', (code, signal) => resolveExit({ code, signal })),
  );
  return { child, output: () => output, exited };
}

/** The environment every test service runs with: test mode, JSON logs, one DATA_DIR. */
export function baseEnv(dataDir: string, extra: Env = {}): Env {
  return { NODE_ENV: 'test', DATA_DIR: dataDir, LOG_LEVEL: 'info', LOG_FORMAT: 'json', ...extra };
}

/** A temporary DATA_DIR with every subgraph migrated and seeded (admin, alice, bob, ...). */
export async function preparedDataDir(): Promise<{ dataDir: string; refs: SeedRefs }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'fedstack-ops-'));
  const logger = createLogger({ service: 'test', level: 'silent', format: 'json' });
  let refs: SeedRefs = {};
  try {
    for (const definition of SUBGRAPHS) {
      const db = await openSubgraphDatabase(definition.readConfig(baseEnv(dataDir)));
      try {
        await migrateSubgraph(definition, db);
        refs = await definition.seed(db, refs, logger);
      } finally {
        await db.close();
      }
    }
  } catch (error) {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  return { dataDir, refs };
}

/**
 * Runs one SQL statement on a subgraph's SQLite file in `dataDir`, on a connection of its own (WAL
 * lets it read while the service writes), and returns the rows.
 */
export async function querySqlite<TRow = Record<string, unknown>>(
  dataDir: string,
  service: string,
  sql: string,
): Promise<TRow[]> {
  const db = await openDatabase({ service, dataDir });
  try {
    const [rows] = await db.sequelize.query(sql);
    return rows as TRow[];
  } finally {
    await db.close();
  }
}

/**
 * A subgraph's SQLite file's journal mode, read over a plain connection that sets no pragmas of
 * its own (WAL is a property of the file, so this sees what the service set).
 */
export async function journalModeOf(dataDir: string, service: string): Promise<string> {
  const sequelize = new Sequelize({
    dialect: 'sqlite',
    storage: join(dataDir, `${service}.sqlite`),
    logging: false,
  });
  try {
    const [rows] = await sequelize.query('PRAGMA journal_mode');
    return (rows as Array<{ journal_mode: string }>)[0]?.journal_mode ?? '';
  } finally {
    await sequelize.close();
  }
}

/** Sends a request straight to a subgraph, signed as the gateway would sign it. */
export function signedPost<TData = Record<string, unknown>>(
  dataDir: string,
  subgraph: ServiceProcess,
  query: string,
  variables: Record<string, unknown>,
  identity: { userId: string; role: string } | null,
): Promise<StackResponse<TData>> {
  const secret = readFileSync(devSecretFiles(dataDir).signingSecret, 'utf8').trim();
  const body = JSON.stringify({ query, variables });
  return postSignedToSubgraph(`${subgraph.origin}/graphql`, {
    secret,
    audience: subgraph.name,
    body,
    identity,
  }).then(async (response) => ({
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as GraphQLBody<TData>,
  }));
}

export interface ProcessStack {
  dataDir: string;
  env: Env;
  refs: SeedRefs;
  services: ByService<ServiceProcess>;
  /** The environment each service was started with (its port aside). */
  envOf: ByService<Env>;
  gatewayUrl: string;
  request<TData = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    options?: { token?: string; headers?: Record<string, string> },
  ): Promise<StackResponse<TData>>;
  login(username: string, password: string): Promise<Session>;
  /** Starts a stopped subgraph again on its port, with `extraEnv` on top of the stack's. */
  restart(name: ServiceName, extraEnv?: Env): Promise<ServiceProcess>;
  stop(): Promise<void>;
}

/**
 * The whole stack as four real processes on free loopback ports over one prepared DATA_DIR.
 * `subgraphEnv` adds settings per subgraph; `gatewayEnv` to the gateway.
 */
export async function startProcessStack(
  options: {
    gatewayEnv?: Env;
    /** Where the gateway reaches each subgraph, e.g. through a test proxy; default the subgraph. */
    urls?: Partial<Record<ServiceName, (port: number) => string>>;
    subgraphEnv?: Partial<Record<ServiceName, Env>>;
  } = {},
): Promise<ProcessStack> {
  const { dataDir, refs } = await preparedDataDir();
  const env = baseEnv(dataDir);
  const ports = Object.fromEntries(
    await Promise.all(SUBGRAPH_NAMES.map(async (name) => [name, await freePort()] as const)),
  ) as ByService<number>;
  const urls: Env = {};
  for (const name of SUBGRAPH_NAMES)
    urls[subgraphVariables(name).url] =
      options.urls?.[name]?.(serviceOf(ports, name)) ??
      `http://127.0.0.1:${serviceOf(ports, name)}/graphql`;
  const envOf = Object.fromEntries([
    ...SUBGRAPH_NAMES.map((name) => [name, { ...env, ...options.subgraphEnv?.[name] }]),
    [
      'gateway',
      { ...env, ...urls, SUPERGRAPH_FILE: join(ROOT, 'supergraph.graphql'), ...options.gatewayEnv },
    ],
  ]) as ByService<Env>;
  // A failed start stops what did start and removes the data folder, as `stop()` would.
  const started = await Promise.allSettled(
    SUBGRAPH_NAMES.map((name) =>
      spawnService(name, serviceOf(envOf, name), { port: serviceOf(ports, name) }),
    ),
  );
  const subgraphList = started.flatMap((result) =>
    result.status === 'fulfilled' ? [result.value] : [],
  );
  const abandon = async (error: unknown): Promise<never> => {
    await Promise.all(subgraphList.map((service) => service.stop('SIGKILL')));
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  };
  const failed = started.find((result) => result.status === 'rejected');
  if (failed) await abandon(failed.reason);
  const gateway = await spawnService('gateway', envOf.gateway).catch(abandon);
  const services = Object.fromEntries(
    [...subgraphList, gateway].map((service) => [service.name, service]),
  ) as ByService<ServiceProcess>;
  const gatewayUrl = `${gateway.origin}/graphql`;
  const request: ProcessStack['request'] = (query, variables, requestOptions = {}) =>
    postGraphQL(gatewayUrl, query, variables, {
      ...(requestOptions.token ? { authorization: `Bearer ${requestOptions.token}` } : {}),
      ...requestOptions.headers,
    });
  return {
    dataDir,
    env,
    refs,
    services,
    envOf,
    gatewayUrl,
    request,
    login: (username, password) => loginAt(gatewayUrl, username, password),
    async restart(name, extraEnv = {}) {
      const old = serviceOf(services, name);
      await old.stop();
      const next = await spawnService(name, { ...envOf[name], ...extraEnv }, { port: old.port });
      services[name] = next;
      return next;
    },
    async stop() {
      await Promise.all(Object.values(services).map((service) => service.stop('SIGKILL')));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
