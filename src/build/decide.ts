// Whether a task's previous zip can be reused, its dependencies re-packaged from the cache, or it
// must be rebuilt — and why. `lambda-pack plan` shows this; `build` acts on it.
import { fileHash } from '../cache/hash.js';
import type { DependencyCache } from '../cache/store.js';
import type { ImageResolver, ResolvedImage } from '../docker/images.js';
import type { ArtifactRecord } from '../package/manifest.js';
import { dependencyKey, inputKey, type TaskKeys } from './keys.js';
import type { PreparedTask } from './prepare.js';

export type Action = 'reuse' | 'repackage' | 'rebuild';

export interface Decision {
  readonly action: Action;
  readonly reason: string;
  /** Known when the image is on the engine (always for builders without an install). */
  readonly keys?: TaskKeys;
  readonly image?: ResolvedImage;
  /** The cached dependency tree, for `repackage`. */
  readonly cachedDependencies?: string;
}

export interface DecideContext {
  readonly images?: ImageResolver;
  readonly cache: DependencyCache;
  readonly previous?: ArtifactRecord;
  /** The previous zip's path. */
  readonly output: string;
  readonly noCache: boolean;
}


/** The task's cache keys for a given build image (none for builders without an install). */
export async function keysFor(prepared: PreparedTask, image: ResolvedImage | undefined): Promise<TaskKeys> {
  const dependency = image
    ? await dependencyKey(prepared.task, prepared.builder, prepared.install, prepared.installEntries, image.id, prepared.env, prepared.strategy.kind)
    : null;
  return { dependency, ...await inputKey(dependency, prepared.sourceTree, prepared.install) };
}


export async function decide(prepared: PreparedTask, ctx: DecideContext): Promise<Decision> {
  if (ctx.noCache) return { action: 'rebuild', reason: '--no-cache' };
  const { task, builder } = prepared;
  let image: ResolvedImage | undefined;
  if (builder.needsContainer) {
    image = await ctx.images!.peek(prepared.image!, prepared.strategy.buildArch);
    if (!image) return { action: 'rebuild', reason: 'its build image is not on the engine yet (it will be pulled or built)' };
  }
  const keys = await keysFor(prepared, image);
  const previous = ctx.previous;
  if (previous?.inputKey === keys.input && previous.sha256 === await fileHash(ctx.output).catch(() => undefined)) {
    return { action: 'reuse', reason: 'nothing changed since the last build', keys, image };
  }
  const what = !previous ? 'not built yet' : previous.dependencyKey === keys.dependency ? 'source changed' : 'dependency inputs changed (manifest, lockfile, image or build env)';
  if (!builder.needsContainer) return { action: 'repackage', reason: what, keys };
  const cachedDependencies = await ctx.cache.get(keys.dependency!);
  if (cachedDependencies) return { action: 'repackage', reason: `${what}; dependencies from the cache`, keys, image, cachedDependencies };
  return { action: 'rebuild', reason: what === 'source changed' ? 'dependencies are not in the cache' : what, keys, image };
}
