// The executor's services on a real engine: images resolved through the run's engines, installs
// in containers, zips on disk, verification, commit.
import os from 'node:os';
import type { DependencyCache } from '../cache/store.js';
import type { Engines } from '../docker/engines.js';
import type { HostFacts } from '../host.js';
import type { ArtifactRecord } from '../package/manifest.js';
import { loadCheck } from '../load/check.js';
import type { BlobStore } from '../image/blob-store.js';
import type { Registries } from '../image/registry/client.js';
import { buildImageOutput } from './image.js';
import { engineIsLocal } from '../load/placement.js';
import { ExternalError } from '../errors.js';
import { architecture, runtime } from '../runtimes.js';
import { finding, type Finding } from '../verify/findings.js';
import type { TaskPlan } from '../plan/types.js';
import { commitOrReject, findingsFor } from './check.js';
import { runInstall } from './install.js';
import { packageZip } from './package.js';
import type { ExecutorServices } from './services.js';

export interface LiveOptions {
  readonly engines: Engines;
  readonly host: HostFacts;
  readonly cache: DependencyCache;
  readonly certificates: readonly string[];
  readonly memoryBytes?: number;
  readonly runId: string;
  readonly signal: AbortSignal;
  readonly previous: ReadonlyMap<string, ArtifactRecord>;
  readonly zipConcurrency?: number;
  readonly registries: Registries;
  readonly blobs: BlobStore;
}

/**
 * The load check of a staged zip: on the task's engine, or — when that engine is on another
 * machine, whose containers cannot reach lambda-pack's Runtime API here — on the default engine
 * (emulating the architecture if it must). When no engine here can run it, the zip is accepted
 * with a warning that says so.
 */
async function checkLoads(plan: TaskPlan, staged: string, layers: readonly string[], options: LiveOptions): Promise<Finding[]> {
  const { engines } = options;
  const arch = architecture(plan.arch);
  let engine = await engines.forArch(plan.arch);
  if (!engineIsLocal(engine.address)) {
    const fallback = await engines.fallback();
    if (!engineIsLocal(fallback.address)) {
      return [finding('LOAD_CHECK_INCOMPLETE', '', `the load check did not run: the ${plan.arch} engine (${engine.address}) and the default engine (${fallback.address}) are both on other machines, whose containers cannot reach lambda-pack's Runtime API here`,
        'Give lambda-pack an engine on this machine as docker.host (it emulates the other architecture), or run lambda-pack on the engine\'s machine; loadCheck: false turns the check off knowingly.')];
    }
    engine = fallback;
  }
  const choice = plan.verify.loadCheck!.image;
  const image = await engines.imagesOn(engine).resolve(choice, arch).catch((error: unknown) => {
    if (!(error instanceof ExternalError) || error.code !== 'IMAGE_UNAVAILABLE') throw error;
    throw new ExternalError('LOAD_CHECK_IMAGE_UNAVAILABLE',
      `${plan.id}: the load check runs the zip in the runtime's Lambda base image ${choice.kind === 'reference' ? choice.ref : choice.recipe}, which is not on the engine and could not be pulled (${error.message.split(': ').slice(1).join(': ').split('. ')[0]}). ` +
      'Make it reachable (docker login, or imageMirror for a registry you can reach), use the offline stand-ins (imageSet: local), or accept the zip unproven: loadCheck: false on the function, or --no-load-check.',
      { fix: 'imageMirror, imageSet: local, or --no-load-check' }, { cause: error });
  });
  const result = await loadCheck({
    engine, image: image.ref, arch, runtime: runtime(plan.runtime), handler: plan.verify.handler, zip: staged, layers,
    runId: options.runId, signal: options.signal, memoryBytes: options.memoryBytes, functionName: plan.name,
  });
  return result.findings;
}

export function liveServices(options: LiveOptions): ExecutorServices {
  const { engines, host, runId, signal } = options;
  return {
    resolveImage: async (plan) => (await engines.images(plan.arch)).resolve(plan.install!.image, architecture(plan.strategy.buildArch)),
    install: async (plan, image, dest, reporter, installOptions) => runInstall(plan, image, dest, {
      engine: await engines.forArch(plan.arch), host, runId, signal, certificates: options.certificates, memoryBytes: options.memoryBytes,
    }, reporter, installOptions),
    cache: options.cache,
    package: (plan, dependencies, staged) => packageZip(plan, dependencies, staged, { signal, concurrency: options.zipConcurrency }),
    verify: (plan, staged, layers) => findingsFor(plan, staged, layers),
    loadCheck: (plan, staged, layers) => checkLoads(plan, staged, layers, options),
    image: async (plan, dependencies, layers, dependencyKey) => {
      const engine = await engines.forArch(plan.arch);
      return buildImageOutput(plan, dependencies, layers, dependencyKey, { engine, images: engines.imagesOn(engine), registries: options.registries, store: options.blobs, signal });
    },
    commit: commitOrReject,
    runId,
    signal,
    now: () => Date.now(),
    previous: options.previous,
    tempDir: os.tmpdir(),
  };
}
