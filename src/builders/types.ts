// What a builder is: it reads an artifact's manifests once (analyze), says whether a task can be
// built from a container of the engine's architecture (strategyFacts), and declares its install
// as data (install): steps, environment, output, what never ships. Everything here is pure but
// analyze.
import type { ArtifactConfig } from '../config/types.js';
import type { HostFacts } from '../host.js';
import type { SourceEntry } from '../package/sources.js';
import type { HybridPart, InstallStep, PlacedTask, Strategy } from '../plan/types.js';
import type { StrategyFacts } from '../plan/strategy.js';
import type { Family } from '../runtimes.js';
import { CACHE_MOUNT } from '../docker/volumes.js';

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

/** The package-manager cache directory of a build user inside the cache volume. */
export function cacheHome(uid: number): string {
  return `${CONTAINER.cache}/${uid}`;
}

/** What every builder's analysis says; each builder adds what it read. */
export interface Analysis {
  /** The source entries the install reads: sent into the container, keying the dependency cache. */
  readonly installInputs: readonly SourceEntry[];
  /** Source paths (globs) the install reads that never ship. */
  readonly installOnly: readonly string[];
  /** Whether the source ships beside what the install produced, and where in the zip. */
  readonly shipsSource: boolean;
  readonly sourcePath: string;
  /** Files the builder writes for the install (a derived lockfile, helper scripts), relative to CONTAINER.build; they key the dependency cache. */
  readonly generatedInputs?: readonly GeneratedInput[];
  /** What ships instead of the source walk (a bundle's output files), when the builder produced it. */
  readonly shippedEntries?: readonly SourceEntry[];
  /** What the builder decided and why, for `plan --json` (a bundle's externals, the package manager). */
  readonly details?: Readonly<Record<string, unknown>>;
}

/** A file written into the build directory rather than taken from the project. */
export interface GeneratedInput {
  readonly path: string;
  readonly content: string;
  /** It may hold credentials (a registry config): plan output shows its hash only. */
  readonly sensitive?: boolean;
}

export interface InstallSpec {
  readonly steps: readonly InstallStep[];
  /** Container directory holding the result, copied out after the install. */
  readonly output: string;
  /** Where the steps run (default CONTAINER.build, where the inputs are). */
  readonly workdir?: string;
  /** A missing output means nothing to ship (not a failed install). */
  readonly outputOptional?: boolean;
  /** Where the result lands in the zip ('' = root). */
  readonly packagePath: string;
  /** The builder's environment; it wins over the config's `env`, so builders combine what they must. */
  readonly env?: Readonly<Record<string, string>>;
  /** Whether the reproducible CFLAGS/CXXFLAGS apply (a Makefile keeps its own defaults). */
  readonly compilerFlags: boolean;
  /** Globs (relative to the output) that never ship: build intermediates, bytecode. */
  readonly drop: readonly string[];
  /** node-gyp build trees in the output keep only their loadable products. */
  readonly pruneBuildTrees?: boolean;
}

/** `S` is InstallSpec, or InstallSpec | null for a builder that may have nothing to install. */
export interface Builder<A extends Analysis = Analysis, S extends InstallSpec | null = InstallSpec> {
  readonly name: string;
  /** Bumped whenever the builder's commands or output handling change: part of the cache key. */
  readonly version: number;
  /** Whether it runs an install in a container (false: the source is packaged as it is). */
  readonly needsContainer: boolean;
  /** Files whose presence in a source means this builder (package.json → npm). */
  readonly markers: readonly string[];
  /** The runtime families it builds for. */
  readonly families: readonly Family[];
  /** Reads and checks the source's manifests, once per artifact; ConfigError (file, line, fix) on bad input. */
  analyze(artifact: ArtifactConfig, entries: readonly SourceEntry[], host: HostFacts): Promise<A>;
  /** What decides between cross and emulated builds; builders without it always emulate. */
  strategyFacts?(analysis: A, task: PlacedTask): StrategyFacts;
  /** The install of a task, as data; null when there is nothing to install (no dependencies). */
  install(analysis: A, task: PlacedTask, strategy: Strategy, host: HostFacts): S;
  /** What of a cross compile can be built alone on the target and offered to the cross install; without it a failure rebuilds the whole task emulated. */
  hybrid?(analysis: A, task: PlacedTask): HybridSpec | undefined;
}

/** A builder's hybrid: the parts, where their builds put what the cross install takes, how files name them. */
export interface HybridSpec {
  /** Container directory of the parts' output, in the target's container and (copied in) the cross install's. */
  readonly output: string;
  /** What every such container checks first (the interpreter is there). */
  readonly steps: readonly InstallStep[];
  readonly parts: readonly HybridPart[];
  readonly owners: 'dist-info';
}

/** Top-level file names of a source, for builders that look for manifests. */
export function topLevelFiles(entries: readonly SourceEntry[]): Set<string> {
  return new Set(entries.filter((e) => e.kind === 'file' && !e.path.includes('/')).map((e) => e.path));
}
