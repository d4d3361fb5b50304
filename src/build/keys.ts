// The keys that decide what a build may reuse. The dependency key covers everything that can
// change an install's result; the input key adds everything that can change the zip.
import { hashEntries, hashValue } from '../cache/hash.js';
import type { Builder, Install } from '../builders/types.js';
import { shippedEntries, type PackageTree } from '../package/contents.js';
import type { SourceEntry } from '../package/sources.js';
import type { Task } from '../plan/types.js';
import { VERSION } from '../version.js';
import { DEFAULT_LEVEL } from '../package/zip.js';

export interface TaskKeys {
  /** null for builders without an install. */
  readonly dependency: string | null;
  readonly source: string;
  readonly input: string;
}

export async function dependencyKey(task: Task, builder: Builder, install: Install, installEntries: readonly SourceEntry[], imageId: string, env: Readonly<Record<string, string>>, strategy: string): Promise<string> {
  return hashValue({
    lambdaPack: VERSION,
    builder: `${builder.name}@${builder.version}`,
    runtime: task.artifact.runtime.id,
    arch: task.arch.name,
    strategy,
    image: imageId,
    commands: install.commands,
    output: install.containerPath,
    env,
    inputs: await hashEntries(installEntries),
  });
}

/** What the zip holds, apart from the dependencies: shipped source, layout, zip settings. */
export async function inputKey(dependency: string | null, sourceTree: PackageTree | undefined, install: Install): Promise<{ source: string; input: string }> {
  const source = sourceTree ? await hashEntries(shippedEntries(sourceTree)) : 'none';
  const input = hashValue({
    lambdaPack: VERSION, dependency, source, level: DEFAULT_LEVEL,
    layout: { sourcePrefix: sourceTree?.prefix ?? null, skip: sourceTree?.skip ?? [], packagePath: install.packagePath },
  });
  return { source, input };
}
