// Builds one task: decide what can be reused, install dependencies in a container only when the
// cache has no result for the same inputs, zip deterministically, verify, then replace the zip.
import { mkdtemp, mkdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { buildScript } from '../builders/script.js';
import { CONTAINER } from '../builders/types.js';
import { ConfigError, ExternalError } from '../errors.js';
import { packEntries } from '../docker/archive.js';
import { pruneTree } from '../package/prune.js';
import { copyOutTree } from './copy-out.js';
import { withContainer } from '../docker/container.js';
import { ensureCacheVolume } from '../docker/volumes.js';
import type { ResolvedImage } from '../docker/images.js';
import { shippedEntries, zipInputs, type PackageTree } from '../package/contents.js';
import type { ArtifactRecord } from '../package/manifest.js';
import { walkSource } from '../package/sources.js';
import { writeZip } from '../package/zip.js';
import type { Task } from '../plan/types.js';
import { acceptOrReject, findingsFor } from './check.js';
import { outputError } from './output-error.js';
import { decide, keysFor, type Decision } from './decide.js';
import { prepareTask, type PreparedTask } from './prepare.js';
import type { BuildServices, TaskReporter } from './services.js';

/** Runs the builder's install in the task's image and copies the result into `dest`. */
async function install(prepared: PreparedTask, image: ResolvedImage, dest: string, services: BuildServices, reporter: TaskReporter): Promise<void> {
  const { task, builder, install: plan } = prepared;
  const engine = await services.engine(task.arch.name);
  const certificates = await Promise.all(services.certificates.map((file) => readFile(file)));
  const inputs = [{ dir: '/', tar: () => packEntries(prepared.installEntries, CONTAINER.build.slice(1), services.owner) }];
  if (certificates.length > 0) {
    inputs.push({ dir: '/', tar: () => packEntries([], CONTAINER.support.slice(1), services.owner, [{ path: path.basename(CONTAINER.caBundle), content: Buffer.concat(certificates) }]) });
  }
  const buildArch = prepared.strategy.buildArch;
  const volume = await ensureCacheVolume(engine, buildArch, image.ref, services.runId);
  reporter.status(`installing (${builder.name}, ${prepared.strategy.kind}) in ${image.ref}`);
  await withContainer(engine, {
    volumes: [{ name: volume, mount: CONTAINER.cache }],
    image: image.ref,
    arch: buildArch,
    cmd: ['/bin/sh', '-c', buildScript(plan.commands, { extraCertificates: certificates.length > 0 })],
    env: prepared.env,
    workdir: CONTAINER.build,
    user: `${services.owner.uid}:${services.owner.gid}`,
    inputs,
    memoryBytes: services.memoryBytes,
    name: `lambda-pack-${services.runId}-${task.id}`,
  }, { runId: services.runId, signal: services.signal, onLog: (line) => reporter.log(line) }, async (finished) => {
    if (finished.oomKilled) {
      throw new ExternalError('BUILD_OOM', `${task.id}: the ${builder.name} build step ran out of memory (OOM-killed) in ${image.ref}. Raise docker.memory in the config or the engine's memory limit.`,
        { exitCode: finished.exitCode, logTail: finished.logTail.join('\n') });
    }
    if (finished.exitCode !== 0) {
      throw new ExternalError('BUILD_FAILED', `${task.id}: the ${builder.name} build step failed with exit code ${finished.exitCode} in ${image.ref}.`,
        { exitCode: finished.exitCode, logTail: finished.logTail.join('\n') });
    }
    reporter.status('copying results out');
    await copyOutTree(finished, plan.containerPath, dest, { task: task.id, materialiseWithin: [CONTAINER.build] });
    await pruneTree(dest, (rel) => builder.keepOutput(rel));
  });
}

/** The dependency tree to package: from the cache, or installed now (and then cached). */
async function dependencies(prepared: PreparedTask, decision: Decision, work: string, services: BuildServices, reporter: TaskReporter) {
  if (decision.cachedDependencies) return { dir: decision.cachedDependencies, keys: decision.keys!, image: decision.image! };
  reporter.status('preparing image');
  const image = await (await services.images(prepared.task.arch.name)).resolve(prepared.image!, prepared.strategy.buildArch);
  const keys = decision.keys?.dependency && decision.image?.id === image.id ? decision.keys : await keysFor(prepared, image);
  const fresh = path.join(work, 'deps');
  await install(prepared, image, fresh, services, reporter);
  await mkdir(fresh, { recursive: true });
  const dir = await services.cache.put(keys.dependency!, fresh, `${prepared.task.id} in ${image.ref}`, { move: true });
  return { dir, keys, image };
}

/**
 * `layerZips` resolves, once the function's layers are built, to their zips for this architecture
 * (verification looks into them for shared libraries, a bootstrap and the total size).
 */
export async function buildTask(task: Task, services: BuildServices, reporter: TaskReporter, layerZips: () => Promise<string[]> = async () => []): Promise<ArtifactRecord> {
  const started = services.now();
  const { artifact } = task;
  reporter.status('reading source');
  const prepared = await prepareTask(task, services.hostEnv);
  const { builder } = prepared;
  const previous = services.previous.get(task.id);
  const decision = await decide(prepared, {
    images: builder.needsContainer ? await services.images(task.arch.name) : undefined,
    cache: services.cache, previous, output: task.output, noCache: services.noCache,
  });
  if (decision.action === 'reuse' && previous) {
    return { ...previous, cacheHit: true, action: 'reuse', durationMs: services.now() - started };
  }

  const work = await mkdtemp(path.join(os.tmpdir(), `lambda-pack-${services.runId}-${task.id}-`));
  try {
    const trees: PackageTree[] = prepared.sourceTree ? [prepared.sourceTree] : [];
    let keys = decision.keys;
    let image: string | null = null;
    if (builder.needsContainer) {
      const deps = await dependencies(prepared, decision, work, services, reporter);
      keys = deps.keys;
      image = deps.image.ref;
      trees.push({ prefix: prepared.install.packagePath, entries: await walkSource(deps.dir, { artifact: artifact.name, produced: true }) });
    } else {
      keys ??= await keysFor(prepared, undefined);
    }
    if (!trees.some((t) => shippedEntries(t).some((e) => e.kind === 'file'))) {
      throw builder.needsContainer
        ? new ExternalError('EMPTY_PACKAGE', `${task.id}: the ${builder.name} build produced no files${builder.name === 'make' ? ' in $(ARTIFACTS_DIR)' : ''}, so there is nothing to zip. Check that the build installs its output there.`)
        : new ConfigError('EMPTY_PACKAGE', `Function "${artifact.name}": every file of ${artifact.source} is excluded, so the zip would be empty. Narrow "exclude" in the config.`, { field: 'exclude' });
    }
    reporter.status('zipping');
    await mkdir(path.dirname(task.output), { recursive: true });
    // The zip replaces the previous one only once verified; until then it has a name of its own.
    const staged = path.join(path.dirname(task.output), `.${path.basename(task.output)}.unverified-${services.runId}`);
    const zip = await writeZip(zipInputs(trees), staged, { signal: services.signal, concurrency: services.zipConcurrency })
      .catch((error: unknown) => { throw outputError(error, task.output); });
    let findings;
    try {
      if (artifact.layers.length > 0) reporter.status('waiting for its layers');
      const layers = await layerZips();
      reporter.status('verifying');
      findings = await findingsFor(task, staged, layers);
    } catch (error) {
      await rm(staged, { force: true });
      throw error;
    }
    await acceptOrReject(task, staged, findings);
    return {
      name: artifact.name,
      kind: artifact.kind,
      runtime: artifact.runtime.id,
      runtimes: artifact.runtimes.map((r) => r.id),
      arch: task.arch.name,
      builder: builder.name,
      path: path.basename(task.output),
      zippedBytes: zip.bytes,
      unzippedBytes: zip.unzippedBytes,
      entries: zip.entries,
      sha256: zip.sha256,
      codeSha256: zip.codeSha256,
      image,
      cacheHit: decision.action !== 'rebuild',
      strategy: prepared.strategy.kind,
      action: decision.action === 'reuse' ? 'repackage' : decision.action,
      dependencyKey: keys!.dependency,
      inputKey: keys!.input,
      durationMs: services.now() - started,
      findings,
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
