// What a builder is: which install to run in the container for a task, where its result lands in
// the package, and which build intermediates never ship.
import type { BuilderName } from '../config/schema.js';
import { CACHE_MOUNT } from '../docker/volumes.js';
import type { SourceEntry } from '../package/sources.js';
import type { Strategy, Task } from '../plan/types.js';
import type { StrategyFacts } from '../plan/strategy.js';

/** Fixed container paths: builds happen in the same place every time, so outputs do not vary. */
export const CONTAINER = {
  build: '/build',
  support: '/lambda-pack',
  caBundle: '/lambda-pack/extra-ca.pem',
  home: '/tmp/lambda-pack-home',
  /** The package-manager cache volume. */
  cache: CACHE_MOUNT,
  /** Where pip, cargo and make put what ships (make's ARTIFACTS_DIR). */
  out: '/tmp/lambda-pack-out',
} as const;

export interface Install {
  /** Shell lines (every argument already quoted) run in CONTAINER.build. */
  readonly commands: readonly string[];
  /** Container directory holding the result, copied out after the install. */
  readonly containerPath: string;
  /** Where that result lands in the zip ('' = root). */
  readonly packagePath: string;
  /** Whether the source tree ships too (npm: yes; make/cargo: only what the build produced). */
  readonly shipsSource: boolean;
  /** Where the source lands when it ships. */
  readonly sourcePath: string;
  /** Extra build-time environment. */
  readonly env?: Readonly<Record<string, string>>;
  /** Source paths (globs) this install reads but that never ship, beyond the builder's `installOnly`. */
  readonly installOnly?: readonly string[];
}

export interface Builder {
  readonly name: BuilderName;
  /** Whether it runs an install in a container (false: the source is packaged as it is). */
  readonly needsContainer: boolean;
  /** Source paths (globs) used by the install but never packaged. */
  readonly installOnly: readonly string[];
  /** The source entries the install reads: sent into the container, and keying the dependency cache. */
  installInputs(source: string, entries: readonly SourceEntry[]): Promise<readonly SourceEntry[]>;
  /** Bumped whenever the builder's commands or output handling change: part of the cache key. */
  readonly version: number;
  /** Decides the install from the source; throws ConfigError (missing lockfile…) naming the file and fix. */
  prepare(task: Task, entries: readonly SourceEntry[], strategy: Strategy): Promise<Install>;
  /** What decides between cross and emulated builds; builders without it always emulate. */
  strategyFacts?(task: Task): Promise<StrategyFacts>;
  /** Whether a path of the copied-out tree (relative to its root) ships. */
  keepOutput(relPath: string): boolean;
}

/** Top-level file names of a source, for builders that look for manifests. */
export function topLevelFiles(entries: readonly SourceEntry[]): Set<string> {
  return new Set(entries.filter((e) => e.kind === 'file' && !e.path.includes('/')).map((e) => e.path));
}
