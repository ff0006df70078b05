import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GraphQLError } from 'graphql';
import { ConfigError, envReader, type Env } from '@fedstack/runtime/config';
import { readDatabaseLocation, readSubgraphBaseConfig } from '../config';
import { openDatabase, type Database } from '../database';
import { openSubgraphDatabase } from '../definition';
import { formatErrorFor } from '@fedstack/runtime/formatError';
import { createLogger } from '@fedstack/runtime/logger';
import {
  createTestPostgresDatabase,
  postgresSkipReason,
  type TestPostgresDatabase,
} from '../testing';

/**
 * The PostgreSQL connection settings: read and checked by the kit's config (only when a subgraph
 * has a `<NAME>_DATABASE_URL`), and applied to every connection the subgraph's pool opens.
 */

const URL_ENV = { ORDERS_DATABASE_URL: 'postgres://app@db.example:5432/orders' };

let dataDir: string;
beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'postgres-settings-'));
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const location = (env: Env) =>
  readDatabaseLocation(envReader({ DATA_DIR: dataDir, ...env }), 'orders');

describe('reading the PostgreSQL settings', () => {
  it('defaults to a pool of 10, a 30 s statement timeout and no TLS', () => {
    expect(location(URL_ENV).postgres).toEqual({
      poolMax: 10,
      statementTimeoutMs: 30_000,
      ssl: 'disable',
      sslCa: undefined,
    });
  });

  it('reaches the subgraph config with the values set', () => {
    const config = readSubgraphBaseConfig(
      {
        ...URL_ENV,
        DATA_DIR: dataDir,
        DATABASE_POOL_MAX: '4',
        DATABASE_STATEMENT_TIMEOUT_MS: '2500',
        DATABASE_SSL: 'require',
      },
      'orders',
      4002,
    );
    expect(config.postgres).toEqual({
      poolMax: 4,
      statementTimeoutMs: 2500,
      ssl: 'require',
      sslCa: undefined,
    });
  });

  it('reads the CA file when verify-full is asked for', () => {
    const ca = join(dataDir, 'ca.pem');
    writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    const settings = location({
      ...URL_ENV,
      DATABASE_SSL: 'verify-full',
      DATABASE_SSL_CA_FILE: ca,
    }).postgres;
    expect(settings?.ssl).toBe('verify-full');
    expect(settings?.sslCa).toContain('BEGIN CERTIFICATE');
  });

  it('is ignored on SQLite, wrong values included', () => {
    expect(location({ DATABASE_POOL_MAX: 'many', DATABASE_SSL: 'yes' }).postgres).toBeUndefined();
  });

  it.each([
    ['DATABASE_POOL_MAX', '0', /^DATABASE_POOL_MAX must be between 1 and 1000, got 0$/],
    ['DATABASE_POOL_MAX', 'ten', /^DATABASE_POOL_MAX must be a whole number, got "ten"$/],
    ['DATABASE_STATEMENT_TIMEOUT_MS', '-5', /^DATABASE_STATEMENT_TIMEOUT_MS must be between 0/],
    ['DATABASE_STATEMENT_TIMEOUT_MS', '1.5s', /^DATABASE_STATEMENT_TIMEOUT_MS must be a whole/],
    [
      'DATABASE_SSL',
      'true',
      /^DATABASE_SSL must be one of disable, require, verify-full, got "true"$/,
    ],
  ])('refuses %s=%s at start, naming the variable', (name, value, message) => {
    expect(() => location({ ...URL_ENV, [name]: value })).toThrow(ConfigError);
    expect(() => location({ ...URL_ENV, [name]: value })).toThrow(message);
  });

  it('refuses a CA file that cannot be read, or one given without TLS', () => {
    const missing = join(dataDir, 'missing.pem');
    expect(() =>
      location({ ...URL_ENV, DATABASE_SSL: 'verify-full', DATABASE_SSL_CA_FILE: missing }),
    ).toThrow(`DATABASE_SSL_CA_FILE "${missing}" cannot be read`);
    const notPem = join(dataDir, 'not.pem');
    writeFileSync(notPem, 'hello');
    expect(() =>
      location({ ...URL_ENV, DATABASE_SSL: 'verify-full', DATABASE_SSL_CA_FILE: notPem }),
    ).toThrow(`DATABASE_SSL_CA_FILE "${notPem}" holds no PEM certificate`);
    expect(() => location({ ...URL_ENV, DATABASE_SSL_CA_FILE: notPem })).toThrow(
      'DATABASE_SSL_CA_FILE needs DATABASE_SSL=verify-full, got DATABASE_SSL=disable',
    );
    expect(() =>
      location({ ...URL_ENV, DATABASE_SSL: 'require', DATABASE_SSL_CA_FILE: notPem }),
    ).toThrow('DATABASE_SSL_CA_FILE needs DATABASE_SSL=verify-full, got DATABASE_SSL=require');
  });
});

describe('DATABASE_UNAVAILABLE in answers', () => {
  it('passes through the error formatting of production, where other errors are masked', () => {
    const format = formatErrorFor({
      production: true,
      logger: createLogger({ service: 'orders', level: 'silent', format: 'json' }),
    });
    const unavailable = new GraphQLError('The orders database is unavailable; try again shortly', {
      extensions: { code: 'DATABASE_UNAVAILABLE' },
    });
    expect(
      format({ message: unavailable.message, extensions: unavailable.extensions }, unavailable),
    ).toEqual({ message: unavailable.message, extensions: { code: 'DATABASE_UNAVAILABLE' } });
    const other = new Error('relation "orders" does not exist');
    expect(format({ message: other.message }, other).extensions).toEqual({
      code: 'INTERNAL_SERVER_ERROR',
    });
  });
});

const skip = postgresSkipReason();
if (skip) console.log(`postgresSettings: PostgreSQL tests skipped: ${skip}`);

(skip ? describe.skip : describe)('the settings on a PostgreSQL server', () => {
  let pg: TestPostgresDatabase;
  const opened: Database[] = [];
  beforeAll(async () => {
    pg = await createTestPostgresDatabase('kit_settings');
  });
  afterAll(async () => {
    await Promise.all(opened.map((db) => db.close()));
    await pg.drop();
  });

  /** Opens the database as the orders subgraph would with `env`. */
  async function openAsSubgraph(env: Env): Promise<Database> {
    const config = readSubgraphBaseConfig(
      { DATA_DIR: dataDir, ORDERS_DATABASE_URL: pg.url, ...env },
      'orders',
      4002,
    );
    const db = await openSubgraphDatabase(config);
    opened.push(db);
    return db;
  }

  /** A setting as the server reports it for the session (`SHOW <setting>`). */
  async function show(db: Database, setting: string): Promise<string | undefined> {
    const row = await db.sequelize.query('SELECT current_setting($1) AS value', {
      bind: [setting],
      plain: true,
    });
    return (row as { value?: string } | null)?.value;
  }

  it('sets statement_timeout on every connection: 30 s by default, else as configured', async () => {
    const byDefault = await openAsSubgraph({});
    expect(await show(byDefault, 'statement_timeout')).toBe('30s');
    const configured = await openAsSubgraph({ DATABASE_STATEMENT_TIMEOUT_MS: '1500' });
    // Several statements at once use several connections: each has the setting.
    const values = await Promise.all(
      Array.from({ length: 4 }, () =>
        configured.sequelize.query(
          'SELECT pg_backend_pid() AS pid, current_setting($1) AS value, pg_sleep(0.1)',
          { bind: ['statement_timeout'], plain: true },
        ),
      ),
    );
    const rows = values as unknown as Array<{ pid: number; value: string }>;
    expect(new Set(rows.map((row) => row.pid)).size).toBeGreaterThan(1);
    expect(rows.map((row) => row.value)).toEqual(['1500ms', '1500ms', '1500ms', '1500ms']);
  });

  it('cancels a statement that runs past the timeout, with PostgreSQL’s own reason', async () => {
    const db = await openAsSubgraph({ DATABASE_STATEMENT_TIMEOUT_MS: '200' });
    await expect(db.sequelize.query('SELECT pg_sleep(0.05)')).resolves.toBeDefined();
    await expect(db.sequelize.query('SELECT pg_sleep(2)')).rejects.toThrow(
      'canceling statement due to statement timeout',
    );
    // The connection is still good for the next statement.
    expect(await show(db, 'statement_timeout')).toBe('200ms');
  });

  it('opens at most DATABASE_POOL_MAX connections', async () => {
    const db = await openAsSubgraph({ DATABASE_POOL_MAX: '2' });
    const rows = (await Promise.all(
      Array.from({ length: 6 }, () =>
        db.sequelize.query('SELECT pg_backend_pid() AS pid, pg_sleep(0.1)', { plain: true }),
      ),
    )) as unknown as Array<{ pid: number }>;
    expect(new Set(rows.map((row) => row.pid)).size).toBe(2);
  });

  it('DATABASE_SSL=require fails the start clearly against a server without TLS', async () => {
    const config = readSubgraphBaseConfig(
      { DATA_DIR: dataDir, ORDERS_DATABASE_URL: pg.url, DATABASE_SSL: 'require' },
      'orders',
      4002,
    );
    await expect(openSubgraphDatabase(config)).rejects.toThrow(
      /^cannot open the orders database at ORDERS_DATABASE_URL \(.*\): The server does not support SSL connections \(DATABASE_SSL=require\)$/,
    );
    // The same server without TLS, as the control.
    await expect(openDatabase({ service: 'orders', dataDir, url: pg.url })).resolves.toMatchObject({
      dialect: 'postgres',
    });
  });
});
