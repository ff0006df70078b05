import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { buildSubgraph, Supergraph } from '@apollo/federation-internals';
import { CriticalityLevel, diff } from '@graphql-inspector/core';
import type { GraphQLSchema } from 'graphql';
import { parseSupergraphConfig } from './composeSupergraph';

/** How much a change can hurt a client, in graphql-inspector's terms. */
export type ChangeLevel = 'breaking' | 'dangerous' | 'safe';

export interface SchemaChange {
  level: ChangeLevel;
  /** The schema coordinate the change is about (`User.email`), when there is one. */
  path?: string;
  message: string;
}

/** Which schema a file holds: a subgraph's own SDL, or the composed supergraph. */
export type SchemaKind = 'subgraph' | 'supergraph';

export interface SchemaReport {
  /** `supergraph`, or the subgraph's name in `supergraph.yaml`. */
  name: string;
  /** The file, relative to the repository root. */
  file: string;
  /**
   * `added`: no version at the base (nothing to break); `removed`: gone from `supergraph.yaml`
   * (what clients lose shows in the supergraph's changes); `compared`: diffed, see `changes`.
   */
  status: 'added' | 'removed' | 'compared';
  changes: SchemaChange[];
}

export interface SchemaCheckResult {
  /** The revision compared against, as resolved; undefined when the check was skipped. */
  base?: string;
  /** Why the base is what it is, or why the check was skipped. */
  notice: string;
  skipped: boolean;
  reports: SchemaReport[];
  /** The reasons given for intended breaks (`Schema-Break:` trailers, the override variable). */
  intended: string[];
  breaking: number;
  /** True when there is no breaking change, or every one is marked as intended. */
  ok: boolean;
}

export interface SchemaCheckOptions {
  /** The repository's root directory. */
  repoDir: string;
  /** The base revision; when absent, see `resolveBase`. */
  base?: string;
  /** A revision to check instead of the working tree (used to compare HEAD with HEAD). */
  head?: string;
  /** A reason that marks this run's breaking changes as intended (local runs). */
  intendedReason?: string;
}

/** The git trailer that marks a commit's breaking schema changes as intended. */
export const SCHEMA_BREAK_TRAILER = 'Schema-Break';

const LEVELS: Record<CriticalityLevel, ChangeLevel> = {
  [CriticalityLevel.Breaking]: 'breaking',
  [CriticalityLevel.Dangerous]: 'dangerous',
  [CriticalityLevel.NonBreaking]: 'safe',
};

/** Builds the schema clients of that kind rely on, without federation's own join/link machinery. */
function apiSchemaOf(kind: SchemaKind, name: string, sdl: string): GraphQLSchema {
  if (kind === 'supergraph') return Supergraph.build(sdl).apiSchema().toGraphQLJSSchema();
  return buildSubgraph(name, `http://${name}.invalid/graphql`, sdl)
    .schema.toAPISchema()
    .toGraphQLJSSchema();
}

/**
 * The changes from `baseSdl` to `headSdl`, each with its criticality. Subgraph SDL is built with
 * federation's directives, and a supergraph is reduced to its API schema, so that only what a
 * client (the gateway, for a subgraph) can see counts.
 */
export async function diffSchemaTexts(
  kind: SchemaKind,
  name: string,
  baseSdl: string,
  headSdl: string,
): Promise<SchemaChange[]> {
  const changes = await diff(apiSchemaOf(kind, name, baseSdl), apiSchemaOf(kind, name, headSdl));
  return changes.map((change) => ({
    level: LEVELS[change.criticality.level],
    ...(change.path ? { path: change.path } : {}),
    message: change.message,
  }));
}

function git(repoDir: string, args: string[]): string {
  return execFileSync('git', args, {
    cwd: repoDir,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function tryGit(repoDir: string, args: string[]): string | undefined {
  try {
    return git(repoDir, args).trim();
  } catch {
    return undefined;
  }
}

/** The commit a revision names, or undefined when there is no such commit here. */
function commitOf(repoDir: string, rev: string): string | undefined {
  return tryGit(repoDir, ['rev-parse', '--verify', '--quiet', `${rev}^{commit}`]) || undefined;
}

/**
 * The revision to compare with, when none is given:
 * - on a branch, the point where it left `origin/main` (or `main`): the branch's own changes only;
 * - on main itself (the branch `main`, or a detached HEAD on main's history), HEAD's first parent:
 *   what the last commit, or the last merge, brought;
 * - no main, no first parent (a root commit, or a shallow clone of depth 1), or not a git
 *   repository: nothing to compare with, and the check is skipped with the reason.
 */
export function resolveBase(
  repoDir: string,
): { base: string; notice: string } | { base?: undefined; notice: string } {
  const head = commitOf(repoDir, 'HEAD');
  if (!head) return { notice: 'not a git repository with commits; schema check skipped' };
  const main = ['origin/main', 'main'].find((rev) => commitOf(repoDir, rev));
  if (!main) return { notice: 'no origin/main or main revision; schema check skipped' };
  const mergeBase = tryGit(repoDir, ['merge-base', main, 'HEAD']);
  if (!mergeBase) return { notice: `HEAD shares no history with ${main}; schema check skipped` };
  const branch = tryGit(repoDir, ['symbolic-ref', '--quiet', '--short', 'HEAD']);
  const onMain = branch === undefined || branch === 'main';
  if (mergeBase !== head || !onMain) {
    return { base: mergeBase, notice: `comparing with ${main} where this branch left it` };
  }
  const parent = commitOf(repoDir, 'HEAD^1');
  if (!parent) {
    return {
      notice: `HEAD is ${main} and has no parent here (first commit, or a shallow clone); schema check skipped`,
    };
  }
  return { base: parent, notice: `HEAD is ${main}: comparing with its first parent` };
}

/** The reasons of every `Schema-Break:` trailer in the commits after `base` up to `head`. */
export function intendedBreaks(repoDir: string, base: string, head = 'HEAD'): string[] {
  const out = git(repoDir, [
    'log',
    `--format=%(trailers:key=${SCHEMA_BREAK_TRAILER},valueonly)`,
    `${base}..${head}`,
  ]);
  return out
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
}

/** A file's text at a revision, or undefined when it does not exist there. */
function showAt(repoDir: string, rev: string, file: string): string | undefined {
  try {
    return git(repoDir, ['show', `${rev}:./${file}`]);
  } catch {
    return undefined;
  }
}

/**
 * The subgraph schema files named in a `supergraph.yaml` text, relative to the repository root;
 * none when there is no such file at that revision.
 */
function subgraphSchemaFiles(
  yamlText: string | undefined,
  source: string,
): { name: string; file: string }[] {
  if (yamlText === undefined) return [];
  return parseSupergraphConfig(yamlText, source).map(({ name, schemaFile }) => ({
    name,
    file: posix.normalize(schemaFile),
  }));
}

/**
 * Compares every subgraph schema of `supergraph.yaml` and `supergraph.graphql` in the working tree
 * (or at `head`) with their versions at the base revision. Fails (`ok: false`) on a breaking
 * change unless a commit between the base and HEAD carries a `Schema-Break: <reason>` trailer or
 * `intendedReason` is given. A schema that cannot be built at the head throws.
 */
export async function checkSchemas(options: SchemaCheckOptions): Promise<SchemaCheckResult> {
  const { repoDir } = options;
  let base: string;
  let notice: string;
  if (options.base) {
    const commit = commitOf(repoDir, options.base);
    if (!commit) throw new Error(`base revision "${options.base}" is not a commit in ${repoDir}`);
    base = commit;
    notice = `comparing with ${options.base}`;
  } else {
    const resolved = resolveBase(repoDir);
    if (resolved.base === undefined) {
      return {
        notice: resolved.notice,
        skipped: true,
        reports: [],
        intended: [],
        breaking: 0,
        ok: true,
      };
    }
    ({ base, notice } = resolved);
  }

  const readHead = (file: string): string | undefined =>
    options.head ? showAt(repoDir, options.head, file) : readOrUndefined(join(repoDir, file));

  const headFiles = subgraphSchemaFiles(readHead('supergraph.yaml'), 'supergraph.yaml');
  const targets: { kind: SchemaKind; name: string; file: string }[] = [
    ...headFiles.map((entry) => ({ kind: 'subgraph' as const, ...entry })),
    { kind: 'supergraph', name: 'supergraph', file: 'supergraph.graphql' },
  ];

  const reports: SchemaReport[] = [];
  for (const target of targets) {
    const headSdl = readHead(target.file);
    if (headSdl === undefined) {
      throw new Error(`${target.file} (${target.name}) is missing`);
    }
    const baseSdl = showAt(repoDir, base, target.file);
    if (baseSdl === undefined) {
      reports.push({ name: target.name, file: target.file, status: 'added', changes: [] });
      continue;
    }
    const changes = await diffSchemaTexts(target.kind, target.name, baseSdl, headSdl);
    reports.push({ name: target.name, file: target.file, status: 'compared', changes });
  }
  const headNames = new Set(headFiles.map((entry) => entry.name));
  for (const gone of subgraphSchemaFiles(
    showAt(repoDir, base, 'supergraph.yaml'),
    `supergraph.yaml at ${base}`,
  ).filter((entry) => !headNames.has(entry.name))) {
    reports.push({ name: gone.name, file: gone.file, status: 'removed', changes: [] });
  }

  const intended = intendedBreaks(repoDir, base, options.head ?? 'HEAD');
  if (options.intendedReason) intended.push(options.intendedReason);
  const breaking = reports
    .flatMap((report) => report.changes)
    .filter((change) => change.level === 'breaking').length;
  return {
    base,
    notice,
    skipped: false,
    reports,
    intended,
    breaking,
    ok: breaking === 0 || intended.length > 0,
  };
}

function readOrUndefined(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** The result as lines for a terminal: one per change, with its level, then the verdict. */
export function formatSchemaCheck(result: SchemaCheckResult): string {
  const lines = [
    `schema check: ${result.notice}${result.base ? ` (${result.base.slice(0, 12)})` : ''}`,
  ];
  for (const report of result.reports) {
    if (report.status !== 'compared') {
      lines.push(`${report.file} (${report.name}): ${report.status}`);
      continue;
    }
    const counts =
      report.changes.length === 0 ? 'no changes' : `${report.changes.length} change(s)`;
    lines.push(`${report.file} (${report.name}): ${counts}`);
    for (const change of report.changes) {
      lines.push(
        `  ${change.level.padEnd(9)} ${change.path ? `${change.path}: ` : ''}${change.message}`,
      );
    }
  }
  if (result.skipped) return lines.join('\n');
  if (result.breaking === 0) {
    lines.push('no breaking changes');
  } else if (result.ok) {
    lines.push(
      `${result.breaking} breaking change(s), marked as intended: ${result.intended.join('; ')}`,
    );
  } else {
    lines.push(
      `${result.breaking} breaking change(s). If they are intended, say why in a commit trailer ` +
        `"${SCHEMA_BREAK_TRAILER}: <reason>" (or set SCHEMA_BREAK=<reason> for a local run).`,
    );
  }
  return lines.join('\n');
}
