// `lambda-pack verify --load`: the load check for zips from any tool, on the default engine, in
// the runtime image of the chosen image set. One engine connection and image per command.
import { randomBytes } from 'node:crypto';
import { connectEngine, type Engine } from '../docker/engine.js';
import { resolveEndpoint } from '../docker/endpoint.js';
import { ImageResolver } from '../docker/images.js';
import { removeRunContainers } from '../docker/container.js';
import type { Architecture, Runtime } from '../runtimes.js';
import { loadCheck, type LoadCheckResult } from './check.js';
import { runtimeImage } from './runtime-image.js';

export interface VerifyLoadContext {
  readonly env: NodeJS.ProcessEnv;
  readonly signal?: AbortSignal;
  readonly imageSet: 'official' | 'local';
  readonly progress?: (line: string) => void;
  /** Where recipe context packages are kept (the cache directory's downloads/). */
  readonly downloads: string;
}

export interface ZipLoadCheck {
  check(zip: string, options: { runtime: Runtime; arch: Architecture; handler?: string; layers: readonly string[] }): Promise<LoadCheckResult>;
  /** Removes anything the checks left behind (a container an engine failure could not remove). */
  close(): Promise<void>;
}

export function zipLoadChecker(context: VerifyLoadContext): ZipLoadCheck {
  const runId = randomBytes(6).toString('hex');
  let engine: Promise<Engine> | undefined;
  let resolver: ImageResolver | undefined;
  const connected = () => (engine ??= connectEngine(resolveEndpoint(undefined, context.env)));
  return {
    async check(zip, { runtime, arch, handler, layers }) {
      const e = await connected();
      resolver ??= new ImageResolver(e, { downloads: context.downloads, progress: context.progress });
      const image = await runtimeImage(resolver, runtime, arch, context.imageSet, '--image-set');
      return loadCheck({ engine: e, image: image.ref, arch, runtime, handler, zip, layers, runId, signal: context.signal, functionName: 'verify' });
    },
    async close() {
      if (engine) await removeRunContainers(await engine, runId).catch(() => 0);
    },
  };
}
