import { existsSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname, join, relative, sep } from 'node:path';
import { composeSupergraph, readSupergraphConfig } from './composeSupergraph';
import type { RunningStack } from './runStack';
import { writeSupergraph } from './writeSupergraph';

/** What one change on disk asks for. */
export interface ChangeEffect {
  /** The services to restart. */
  restart: string[];
  /** Whether the supergraph must be composed again. */
  recompose: boolean;
}

/** One watched place: a folder (recursive) or a set of files in one folder. */
interface WatchTarget {
  folder: string;
  recursive: boolean;
  /** What a change to `file` (relative to `folder`) asks for; undefined when it does not matter. */
  effectOf(file: string): ChangeEffect | undefined;
}

/**
 * Files an editor, git or a test runner writes that no service loads: hidden and backup files,
 * vim's write probe, and tests.
 */
export function isIgnoredSource(file: string): boolean {
  const parts = file.split(sep);
  const name = parts.at(-1) ?? '';
  return (
    parts.some((part) => part === '__tests__' || part === 'node_modules' || part.startsWith('.')) ||
    /(~|\.swp|\.swx|\.tmp|\.test\.ts)$/.test(name) ||
    name === '4913'
  );
}

/**
 * The places `npm run dev` watches and what a change in each asks for: a subgraph's `src/`
 * restarts it, `gateway/src` the gateway, the shared workspaces (`subgraphs/kit/src`,
 * `packages/<name>/src`) every service; a subgraph schema named in `supergraph.yaml` recomposes
 * and restarts that subgraph, `supergraph.yaml` itself recomposes.
 */
export function watchTargets(stack: RunningStack): WatchTarget[] {
  const { root, specs, configPath } = stack;
  const everyone = specs.map((spec) => spec.name);
  const sourceFolder = (folder: string, restart: string[]): WatchTarget => ({
    folder,
    recursive: true,
    effectOf: (file) => (isIgnoredSource(file) ? undefined : { restart, recompose: false }),
  });
  const targets = specs.map((spec) =>
    sourceFolder(
      join(root, spec.name === 'gateway' ? 'gateway' : join('subgraphs', spec.name), 'src'),
      [spec.name],
    ),
  );
  targets.push(sourceFolder(join(root, 'subgraphs', 'kit', 'src'), everyone));
  targets.push({
    folder: join(root, 'packages'),
    recursive: true,
    effectOf: (file) =>
      file.split(sep)[1] === 'src' && !isIgnoredSource(file)
        ? { restart: everyone, recompose: false }
        : undefined,
  });

  // Schema files are watched through their folders: editors replace a file by renaming, which a
  // watcher on the file itself stops seeing.
  const files = new Map<string, Map<string, ChangeEffect>>();
  const addFile = (path: string, effect: ChangeEffect) => {
    const folder = dirname(path);
    if (!files.has(folder)) files.set(folder, new Map());
    files.get(folder)!.set(basename(path), effect);
  };
  addFile(configPath, { restart: [], recompose: true });
  for (const subgraph of readSupergraphConfig(configPath))
    addFile(subgraph.schemaFile, {
      restart: everyone.includes(subgraph.name) ? [subgraph.name] : [],
      recompose: true,
    });
  for (const [folder, effects] of files)
    targets.push({ folder, recursive: false, effectOf: (file) => effects.get(file) });

  return targets.filter((target) => existsSync(target.folder));
}

/**
 * `npm run dev`'s loop over a running stack: watches `watchTargets(stack)`, gathers the changes
 * of `debounceMs` (default 150 ms) of quiet, then recomposes and restarts what they ask for. A
 * failed composition leaves the supergraph file as it was, prints each error, and holds back the
 * restart of the subgraphs whose schema changed until a composition succeeds, so that a running
 * subgraph never serves a schema the gateway's supergraph does not match. Returns a function
 * that stops watching.
 */
export function watchStack(stack: RunningStack, debounceMs = 150): () => void {
  const { supervisor, root, configPath, supergraphFile } = stack;
  const log = (line: string) => supervisor.log('dev', line);
  // Paths inside the repository relative to it, others (a test's copy of the schemas) in full.
  const shown = (path: string) =>
    relative(root, path).startsWith('..') ? path : relative(root, path);
  const restart = new Set<string>();
  /** Subgraphs whose schema changed since the last good composition. */
  const awaitingComposition = new Set<string>();
  const changed = new Set<string>();
  let recompose = false;
  let timer: NodeJS.Timeout | undefined;

  const flush = () => {
    timer = undefined;
    const files = [...changed];
    log(
      `changed: ${files.slice(0, 3).join(', ')}${files.length > 3 ? ` and ${files.length - 3} more` : ''}`,
    );
    changed.clear();
    if (recompose) {
      recompose = false;
      let composed: ReturnType<typeof composeSupergraph>;
      try {
        composed = composeSupergraph(configPath);
      } catch (error) {
        composed = { ok: false, errors: [(error as Error).message] };
      }
      if (composed.ok) {
        const written = writeSupergraph(supergraphFile, composed.supergraphSdl);
        log(
          written ? `recomposed ${shown(supergraphFile)}` : 'composed; the supergraph is unchanged',
        );
        for (const name of awaitingComposition) restart.add(name);
        awaitingComposition.clear();
      } else {
        log(
          `composition failed with ${composed.errors.length} error(s); ${shown(supergraphFile)} is left as it was:`,
        );
        for (const error of composed.errors) log(`  - ${error.replaceAll('\n', '\n      ')}`);
      }
    }
    const names = [...restart];
    restart.clear();
    if (names.length === 0) return;
    log(`restarting ${names.join(', ')}`);
    // The gateway last, once the subgraphs restarted with it answer its start-up calls.
    const subgraphs = names.filter((name) => name !== 'gateway');
    void Promise.all(subgraphs.map((name) => supervisor.restart(name))).then(() => {
      return names.includes('gateway') ? supervisor.restart('gateway') : undefined;
    });
  };

  const watchers: FSWatcher[] = watchTargets(stack).map((target) =>
    watch(target.folder, { recursive: target.recursive }, (_event, file) => {
      const effect = target.effectOf(file ?? '');
      if (!effect) return;
      changed.add(shown(join(target.folder, file ?? '')));
      recompose ||= effect.recompose;
      for (const name of effect.restart) {
        if (effect.recompose) awaitingComposition.add(name);
        else restart.add(name);
      }
      clearTimeout(timer);
      timer = setTimeout(flush, debounceMs);
    }).on('error', (error) => log(`stopped watching ${shown(target.folder)}: ${error.message}`)),
  );
  log(`watching ${watchers.length} places for changes`);
  return () => {
    clearTimeout(timer);
    for (const watcher of watchers) watcher.close();
  };
}
