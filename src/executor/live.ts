// The executor's services on a real engine: images resolved through the run's engines, installs
// in containers, zips on disk, verification, commit.
import os from 'node:os';
import type { DependencyCache } from '../cache/store.js';
import type { Engines } from '../docker/engines.js';
import type { HostFacts } from '../host.js';
import type { ArtifactRecord } from '../package/manifest.js';
import { architecture } from '../runtimes.js';
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
}

export function liveServices(options: LiveOptions): ExecutorServices {
  const { engines, host, runId, signal } = options;
  return {
    resolveImage: async (plan) => (await engines.images(plan.arch)).resolve(plan.install!.image, architecture(plan.strategy.buildArch)),
    install: async (plan, image, dest, reporter) => runInstall(plan, image, dest, {
      engine: await engines.forArch(plan.arch), host, runId, signal, certificates: options.certificates, memoryBytes: options.memoryBytes,
    }, reporter),
    cache: options.cache,
    package: (plan, dependencies, staged) => packageZip(plan, dependencies, staged, { signal, concurrency: options.zipConcurrency }),
    verify: (plan, staged, layers) => findingsFor(plan, staged, layers),
    commit: commitOrReject,
    runId,
    signal,
    now: () => Date.now(),
    previous: options.previous,
    tempDir: os.tmpdir(),
  };
}
