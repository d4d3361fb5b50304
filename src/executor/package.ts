// The package step: the shipped source and the installed dependencies, each at its prefix, into
// a deterministic zip written under a staging name.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError, ExternalError } from '../errors.js';
import { shippedEntries, zipInputs, type PackageTree } from '../package/contents.js';
import { walkSource } from '../package/sources.js';
import { writeZip, type ZipResult } from '../zip/write.js';
import type { TaskPlan } from '../plan/types.js';
import { outputError } from './output-error.js';

export async function packageZip(plan: TaskPlan, dependencies: string | undefined, staged: string, options: { signal: AbortSignal; concurrency?: number }): Promise<ZipResult> {
  const trees: PackageTree[] = [];
  if (plan.package.source) trees.push(plan.package.source);
  if (plan.package.dependencies && dependencies) {
    trees.push({ prefix: plan.package.dependencies.prefix, entries: await walkSource(dependencies, { artifact: plan.name, produced: true }) });
  }
  if (!trees.some((t) => shippedEntries(t).some((e) => e.kind === 'file'))) {
    throw plan.install
      ? new ExternalError('EMPTY_PACKAGE', `${plan.id}: the ${plan.builder} build produced no files${plan.builder === 'make' ? ' in $(ARTIFACTS_DIR)' : ''}, so there is nothing to zip. Check that the build installs its output there.`)
      : new ConfigError('EMPTY_PACKAGE', `Function "${plan.name}": every file of ${plan.source} is excluded, so the zip would be empty. Narrow "exclude" in the config.`, { field: 'exclude' });
  }
  await mkdir(path.dirname(staged), { recursive: true });
  return writeZip(zipInputs(trees), staged, { signal: options.signal, concurrency: options.concurrency, level: plan.output.level, mtime: new Date(plan.output.mtime) })
    .catch((error: unknown) => { throw outputError(error, plan.output.path); });
}
