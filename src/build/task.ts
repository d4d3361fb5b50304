// Builds one task: walk the source, install dependencies in a container when the builder needs
// one, copy them out, zip deterministically (temp file + rename) and describe the artifact.
import { mkdtemp, mkdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { builderFor } from '../builders/index.js';
import { buildScript, REPRODUCIBLE_ENV } from '../builders/script.js';
import { CONTAINER, type Builder, type Install } from '../builders/types.js';
import { ConfigError, ExternalError } from '../errors.js';
import { extractTar, packEntries } from '../docker/archive.js';
import { withContainer } from '../docker/container.js';
import { zipInputs, type PackageTree } from '../package/contents.js';
import type { ArtifactRecord } from '../package/manifest.js';
import { walkSource, type SourceEntry } from '../package/sources.js';
import { writeZip } from '../package/zip.js';
import type { Task } from '../plan/types.js';
import { acceptOrReject, findingsFor } from './check.js';
import type { BuildServices, TaskReporter } from './services.js';

function buildEnv(task: Task, services: BuildServices): Record<string, string> {
  const env: Record<string, string> = { ...REPRODUCIBLE_ENV, ...task.artifact.env };
  for (const name of task.artifact.passEnv) {
    const value = services.hostEnv[name];
    if (value === undefined) {
      throw new ConfigError('PASS_ENV_UNSET', `Function "${task.artifact.name}": passEnv names ${name}, but it is not set in this environment. Set it, or remove it from passEnv.`, { field: `passEnv` });
    }
    env[name] = value;
  }
  return env;
}

/** Runs the builder's install in the task's image and copies the result into `dest`. */
async function install(task: Task, builder: Builder, plan: Install, entries: readonly SourceEntry[], dest: string, services: BuildServices, reporter: TaskReporter): Promise<string> {
  const engine = await services.engine();
  reporter.status('preparing image');
  const image = await (await services.images()).resolve(task.image!, task.arch);
  const certificates = await Promise.all(services.certificates.map((file) => readFile(file)));
  const inputs = [{ dir: '/', tar: () => packEntries(entries, CONTAINER.build.slice(1), services.owner) }];
  if (certificates.length > 0) {
    inputs.push({ dir: '/', tar: () => packEntries([], CONTAINER.support.slice(1), services.owner, [{ path: path.basename(CONTAINER.caBundle), content: Buffer.concat(certificates) }]) });
  }
  const script = buildScript(plan.commands, { extraCertificates: certificates.length > 0 });
  reporter.status(`installing (${builder.name}) in ${image.ref}`);
  await withContainer(engine, {
    image: image.ref,
    arch: task.arch,
    cmd: ['/bin/sh', '-c', script],
    env: { ...plan.env, ...buildEnv(task, services) },
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
    await extractTar(await finished.copyOut(plan.containerPath), dest, { strip: 1, keep: (rel) => builder.keepOutput(rel) });
  });
  return image.ref;
}

/**
 * `layerZips` resolves, once the function's layers are built, to their zips for this architecture
 * (verification looks into them for shared libraries, a bootstrap and the total size).
 */
export async function buildTask(task: Task, services: BuildServices, reporter: TaskReporter, layerZips: () => Promise<string[]> = async () => []): Promise<ArtifactRecord> {
  const started = services.now();
  const { artifact } = task;
  const builder = builderFor(artifact.builder);
  reporter.status('reading source');
  // The install sees the whole source (a local addon may be excluded from shipping); `exclude` applies to the zip.
  const entries = await walkSource(artifact.source, { artifact: artifact.name });
  if (!entries.some((e) => e.kind === 'file')) {
    throw new ConfigError('SOURCE_EMPTY', `Function "${artifact.name}": ${artifact.source} contains no files to package. Put the function's code there, or fix "source" in the config.`, { file: artifact.source });
  }
  const plan = await builder.prepare(task, entries);

  const work = await mkdtemp(path.join(os.tmpdir(), `lambda-pack-${services.runId}-${task.id}-`));
  try {
    let image: string | null = null;
    const trees: PackageTree[] = plan.shipsSource ? [{ prefix: plan.sourcePath, entries, skip: [...builder.installOnly, ...artifact.exclude] }] : [];
    if (builder.needsContainer) {
      const deps = path.join(work, 'deps');
      image = await install(task, builder, plan, entries, deps, services, reporter);
      await mkdir(deps, { recursive: true });
      trees.push({ prefix: plan.packagePath, entries: await walkSource(deps, { artifact: artifact.name, produced: true }) });
    }
    if (!trees.some((t) => t.entries.some((e) => e.kind === 'file'))) {
      throw new ExternalError('EMPTY_PACKAGE', `${task.id}: the ${builder.name} build produced no files${builder.name === 'make' ? ' in $(ARTIFACTS_DIR)' : ''}, so there is nothing to zip. Check that the build installs its output there.`);
    }
    reporter.status('zipping');
    await mkdir(path.dirname(task.output), { recursive: true });
    // The zip replaces the previous one only once verified; until then it has a name of its own.
    const staged = path.join(path.dirname(task.output), `.${path.basename(task.output)}.unverified-${services.runId}`);
    const zip = await writeZip(zipInputs(trees), staged, { signal: services.signal, concurrency: services.zipConcurrency });
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
      cacheHit: false,
      durationMs: services.now() - started,
      findings,
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
