import { resolve } from 'node:path';
import { readGatewayConfig } from '@fedstack/gateway/config';
import { SEED_ACCOUNTS } from '@fedstack/users';
import { composeSupergraph } from './composeSupergraph';
import { prepareDatabases } from './prepare';
import { mainFileOf, SUBGRAPHS } from './subgraphs';
import { Supervisor, type ServiceSpec } from './supervisor';
import { writeSupergraph } from './writeSupergraph';
import { subgraphVariables } from '@fedstack/runtime/subgraphVariables';

/** The stack as `runStack` started it, handed to `onReady`. */
export interface RunningStack {
  supervisor: Supervisor;
  /** The services, subgraphs first and the gateway last, as started. */
  specs: ServiceSpec[];
  /** The repository root, the services' working directory. */
  root: string;
  /** The `supergraph.yaml` composed from. */
  configPath: string;
  /** The composed supergraph the gateway serves. */
  supergraphFile: string;
}

export interface RunStackOptions {
  /** How the command is called in its failure line, e.g. `npm start`. */
  command: string;
  /** Called once every service is ready and the URLs are printed. */
  onReady?: (stack: RunningStack) => void;
}

/**
 * What `npm start` and `npm run dev` share: composes the supergraph if it is stale (from
 * `SUPERGRAPH_CONFIG`, default `supergraph.yaml`, into `SUPERGRAPH_FILE`), migrates and (outside
 * production) seeds, runs every subgraph and the gateway as separate processes under one
 * `Supervisor`, prints the URLs, and on Ctrl-C or SIGTERM stops them all and exits 0. A failure
 * to start prints `<command> failed: <reason>`, stops what was started and exits 1.
 */
export function runStack(options: RunStackOptions): void {
  // The one owner of this process's signals, from the first moment: SIGTERM to this process
  // alone (as `timeout`, systemd and process managers send it) stops every service, then exits 0.
  let supervisor: Supervisor | undefined = undefined;
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping all services`);
    void (supervisor?.stop() ?? Promise.resolve()).then(() => process.exit(0));
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));

  const start = async (): Promise<void> => {
    const root = resolve(__dirname, '..');
    const production = process.env.NODE_ENV === 'production';
    const configPath = resolve(process.env.SUPERGRAPH_CONFIG ?? resolve(root, 'supergraph.yaml'));
    const supergraphFile = resolve(process.env.SUPERGRAPH_FILE ?? 'supergraph.graphql');

    const composed = composeSupergraph(configPath);
    if (!composed.ok) throw new Error(`composition failed:\n  - ${composed.errors.join('\n  - ')}`);
    if (writeSupergraph(supergraphFile, composed.supergraphSdl))
      console.log(`composed ${supergraphFile}`);

    const refs = await prepareDatabases({ seed: !production });
    const env: NodeJS.ProcessEnv = {
      LOG_FORMAT: process.stdout.isTTY ? 'pretty' : 'json',
      ...process.env,
    };
    const specs: ServiceSpec[] = SUBGRAPHS.map((definition) => {
      const { port } = definition.readConfig();
      const urlVariable = subgraphVariables(definition.name).url;
      // The gateway must follow a subgraph moved by USERS_PORT & co. unless its URL is set.
      env[urlVariable] ??= `http://localhost:${port}/graphql`;
      return {
        name: definition.name,
        entry: mainFileOf(definition.name),
        env,
        port,
      };
    });
    const gateway = readGatewayConfig({ ...env, SUPERGRAPH_FILE: supergraphFile });
    specs.push({
      name: 'gateway',
      entry: mainFileOf('gateway'),
      env: { ...env, SUPERGRAPH_FILE: supergraphFile },
      port: gateway.port,
    });

    if (stopping) return;
    supervisor = new Supervisor(specs, root);
    try {
      // False when Ctrl-C or SIGTERM came first: shutdown() stops everything and exits 0.
      if (!(await supervisor.start())) return;
    } catch (error) {
      await supervisor.stop();
      throw error;
    }

    const lines = [
      '',
      `Gateway:   http://localhost:${gateway.port}/graphql${production ? '' : '  (open it in a browser for Apollo Sandbox)'}`,
      ...(production
        ? []
        : [`Explorer:  http://localhost:${gateway.port}/explorer  (GraphiQL, works offline)`]),
      ...specs
        .slice(0, -1)
        .map(
          (spec) =>
            `${spec.name.padEnd(10)} http://localhost:${spec.port}/graphql  (gateway-signed requests only)`,
        ),
    ];
    if (refs.users) {
      lines.push('', 'Seeded accounts (development only):');
      for (const account of SEED_ACCOUNTS)
        lines.push(
          `  ${account.username.padEnd(6)} / ${account.password.padEnd(15)} ${account.role}`,
        );
    }
    lines.push('', 'Press Ctrl-C to stop.', '');
    console.log(lines.join('\n'));
    options.onReady?.({ supervisor, specs, root, configPath, supergraphFile });
  };

  start().catch((error: unknown) => {
    console.error(`${options.command} failed: ${(error as Error).message}`);
    process.exit(1);
  });
}
