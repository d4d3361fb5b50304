// A locked Python install for one task, planned on the host from the lockfile alone: what it
// installs (after markers, groups and extras), the install steps, the source paths it reads and
// the cache-key material. The builder reads the lockfile once (analyze) and calls lockedPlan per task.
import type { Architecture, Runtime } from '../../runtimes.js';
import { crossInstallOptions } from '../pip-tags.js';
import { resolveIndex, type ResolvedIndex } from './indexes.js';
import { lockedInstall, PYTHON_PATHS, type BuildSources, type CrossCompile, type PythonInstall } from './install-steps.js';
import { lockedKeyMaterial, type LockedKeyMaterial } from './locked-key.js';
import { checkAvailable, lockedRequirements } from './locked-requirements.js';
import { lockedSet } from './locked-set.js';
import { readLockfile } from './lockfile.js';
import type { LockedDistribution, LockFormat, LockGraph } from './lock-types.js';
import { markerEnvironment } from './markers.js';
import { CONTAINER } from '../types.js';

export interface LockedTaskInput {
  /** Absolute path of the function's (or layer's) source. */
  readonly source: string;
  readonly format: LockFormat;
  readonly runtime: Runtime;
  readonly arch: Architecture;
  readonly dependencyGroups?: readonly string[];
  readonly extras?: readonly string[];
  readonly passEnv: readonly string[];
  /** The config's literal `env` (names are enough; values are not read). */
  readonly env: Readonly<Record<string, string>>;
  /** The task's strategy is cross: pip runs on the host architecture with --platform. */
  readonly cross: boolean;
  /** With `cross`: the locked sdists (and the project) are cross-compiled. */
  readonly compile?: CrossCompile;
  /** Container path of a netrc the config names (copied in by the executor, never shipped). */
  readonly netrcFile?: string;
  /** Values of the credential variables the install uses, only to key the cache by their hashes. */
  readonly credentialValues?: Readonly<Record<string, string>>;
}

export interface LockedPlan {
  readonly graph: LockGraph;
  readonly distributions: readonly LockedDistribution[];
  readonly install: PythonInstall;
  /**
   * Source paths (relative, '/'-separated) the install reads, sent into the container: local
   * archives and project directories. '.' means the whole source except the lockfile and its
   * manifests (LOCK_MANIFESTS), when the project itself is built.
   */
  readonly inputs: readonly string[];
  readonly key: LockedKeyMaterial;
}

function buildSources(indexes: readonly ResolvedIndex[], anyDefault: boolean): BuildSources {
  const named = indexes.find((i) => i.url);
  if (named) return { indexUrl: named.url!, noIndex: false, ...(named.trustedHost ? { trustedHosts: [named.trustedHost] } : {}) };
  return anyDefault ? { noIndex: false } : {};
}

/** The locked install of one task from a lockfile read once per artifact (readLockfile). Pure. */
export function lockedPlan(graph: LockGraph, input: Omit<LockedTaskInput, 'format'>): LockedPlan {
  const env = markerEnvironment(input.runtime, input.arch, { extras: input.extras ?? [], dependencyGroups: input.dependencyGroups ?? [] });
  const distributions = lockedSet(graph, env);
  checkAvailable(distributions, input.runtime, input.arch, graph.file);
  const names = { passEnv: input.passEnv, env: Object.keys(input.env) };
  const resolved: ResolvedIndex[] = [];
  let anyDefault = false;
  const requirements = lockedRequirements(distributions, {
    buildDir: CONTAINER.build, dir: PYTHON_PATHS.generated,
    resolve: (source) => {
      const index = resolveIndex(source, graph.format, graph.indexes, names, graph.file);
      if (index.url) resolved.push(index); else anyDefault = true;
      return index;
    },
  });
  const localProjects = graph.project ? [graph.project.path, ...requirements.localProjects] : requirements.localProjects;
  const install = lockedInstall({
    python: `python${input.runtime.python!.join('.')}`,
    requirements: { ...requirements, localProjects },
    buildSources: buildSources(resolved, anyDefault),
    ...(input.cross ? { cross: crossInstallOptions(input.runtime, input.arch, { locallyBuilt: input.compile !== undefined }) } : {}),
    ...(input.cross && input.compile ? { compile: input.compile } : {}),
    ...(input.netrcFile ? { netrcFile: input.netrcFile } : {}),
  });
  const archives = distributions.flatMap((d) => (d.source.kind === 'archive' || d.source.kind === 'wheelhouse' ? [d.source.path] : []));
  const credentialNames = requirements.credentials.flatMap((c) => [c.usernameVariable, c.passwordVariable]);
  const credentials = Object.fromEntries(credentialNames.map((n) => [n, input.credentialValues?.[n] ?? '']));
  return {
    graph, distributions, install,
    inputs: [...new Set(graph.project ? ['.'] : [...localProjects, ...archives])].sort(),
    key: lockedKeyMaterial(graph.format, distributions, graph.project?.path, credentials),
  };
}

/** Reads the lockfile and plans the task's install (tests and one-off callers; the builder reads once and calls lockedPlan). */
export async function planLockedInstall(input: LockedTaskInput): Promise<LockedPlan> {
  return lockedPlan(await readLockfile(input.source, input.format), input);
}
