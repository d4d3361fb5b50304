// Gathers what a task's reuse decision needs from the outside: its build image's id on the engine
// (peeked, never pulled), the cache entry for its keys, the zip now at its path. Shared by
// `plan` (to say what a build would do) and `build` (to do it).
import { fileHash } from '../cache/hash.js';
import type { DependencyCache } from '../cache/store.js';
import type { ImageResolver } from '../docker/images.js';
import type { ArtifactRecord } from '../package/manifest.js';
import { decide, type Decision } from '../plan/action.js';
import { bindKeys, imageIdentity } from '../plan/keys.js';
import type { TaskPlan } from '../plan/types.js';
import { architecture, type ArchName } from '../runtimes.js';

export interface DecisionSources {
  readonly images: (arch: ArchName) => Promise<ImageResolver>;
  readonly cache: Pick<DependencyCache, 'get'>;
  readonly previous: ReadonlyMap<string, ArtifactRecord>;
  readonly noCache: boolean;
  /** An image function's base image identity: its digest, or the engine's id of the offline stand-in. */
  readonly baseImage?: (plan: TaskPlan) => Promise<string | undefined>;
}

export async function decideTask(plan: TaskPlan, sources: DecisionSources): Promise<Decision> {
  if (sources.noCache) return decide(plan, { noCache: true });
  let image: { id: string; ref: string } | undefined;
  if (plan.install) {
    const images = await sources.images(plan.arch);
    const found = await images.peek(plan.install.image, architecture(plan.strategy.buildArch));
    // A hybrid's parts built in the target's image too: both images key its install.
    const prebuild = plan.prebuild ? await images.peek(plan.prebuild.install.image, architecture(plan.prebuild.buildArch)) : undefined;
    image = found && (!plan.prebuild || prebuild) ? { id: imageIdentity(found.id, prebuild?.id), ref: found.ref } : undefined;
  }
  const previous = sources.previous.get(plan.id);
  const baseImage = plan.output.kind === 'image' ? await sources.baseImage?.(plan).catch(() => undefined) : undefined;
  const keys = plan.install && !image ? undefined : bindKeys(plan.keys, image?.id, baseImage);
  return decide(plan, {
    noCache: false,
    ...(baseImage ? { baseImage } : {}),
    ...(image ? { image } : {}),
    ...(previous ? { previous, previousZipSha256: await fileHash(plan.output.path).catch(() => undefined) } : {}),
    ...(keys?.dependency ? { cachedDependencies: await sources.cache.get(keys.dependency) } : {}),
  });
}
