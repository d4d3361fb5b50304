// The host-side part of a task, before any container: read the source, let the builder decide its
// install, and work out which files the install reads and which ship.
import { builderFor } from '../builders/index.js';
import { REPRODUCIBLE_ENV } from '../builders/script.js';
import type { Builder, Install } from '../builders/types.js';
import { ConfigError } from '../errors.js';
import type { PackageTree } from '../package/contents.js';
import { walkSource, type SourceEntry } from '../package/sources.js';
import type { ImageChoice, Strategy, Task } from '../plan/types.js';
import { chooseStrategy } from '../plan/strategy.js';

export interface PreparedTask {
  readonly task: Task;
  readonly builder: Builder;
  readonly install: Install;
  readonly entries: readonly SourceEntry[];
  /** What the install reads: sent into the container, keying the dependency cache. */
  readonly installEntries: readonly SourceEntry[];
  /** The source as it ships, when it ships. */
  readonly sourceTree?: PackageTree;
  /** The container's environment: reproducibility settings, builder env, config env. */
  readonly env: Readonly<Record<string, string>>;
  /** Native, cross or emulated, and why. */
  readonly strategy: Strategy;
  /** The image the build container runs (the host-architecture one for a cross build). */
  readonly image: ImageChoice | null;
}

function buildEnv(task: Task, install: Install, hostEnv: NodeJS.ProcessEnv): Record<string, string> {
  const env: Record<string, string> = { ...REPRODUCIBLE_ENV, ...install.env, ...task.artifact.env };
  for (const name of task.artifact.passEnv) {
    const value = hostEnv[name];
    if (value === undefined) {
      throw new ConfigError('PASS_ENV_UNSET', `Function "${task.artifact.name}": passEnv names ${name}, but it is not set in this environment. Set it, or remove it from passEnv.`, { field: 'passEnv' });
    }
    env[name] = value;
  }
  return env;
}

export async function prepareTask(task: Task, hostEnv: NodeJS.ProcessEnv): Promise<PreparedTask> {
  const { artifact } = task;
  const builder = builderFor(artifact.builder);
  // The install sees the whole source it needs (a local addon may be excluded from shipping);
  // `exclude` applies to the zip.
  const entries = await walkSource(artifact.source, { artifact: artifact.name });
  if (!entries.some((e) => e.kind === 'file')) {
    throw new ConfigError('SOURCE_EMPTY', `Function "${artifact.name}": ${artifact.source} contains no files to package. Put the function's code there, or fix "source" in the config.`, { file: artifact.source });
  }
  const strategy = chooseStrategy(task, await builder.strategyFacts?.(task) ?? { mustCompile: [] });
  const install = await builder.prepare(task, entries, strategy);
  return {
    task, builder, install, entries, strategy,
    image: strategy.kind === 'cross' ? task.hostImage : task.image,
    installEntries: await builder.installInputs(artifact.source, entries),
    sourceTree: install.shipsSource ? { prefix: install.sourcePath, entries, skip: [...builder.installOnly, ...install.installOnly ?? [], ...artifact.exclude] } : undefined,
    env: buildEnv(task, install, hostEnv),
  };
}
