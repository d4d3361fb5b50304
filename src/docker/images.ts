
import { ExternalError } from '../errors.js';
import type { Architecture } from '../runtimes.js';
import type { ImageChoice } from '../plan/types.js';
import type { Engine } from './engine.js';
import { buildRecipe, recipeBase, recipeRef } from './recipes.js';
import { checkArchitecture, followToEnd, inspectImage } from './image-info.js';


export interface ResolvedImage {
  readonly ref: string;
  /** The engine's image ID (sha256:…), which changes whenever the image does. */
  readonly id: string;
  readonly arch: Architecture;
}

export type ProgressSink = (line: string) => void;

async function pull(engine: Engine, ref: string, arch: Architecture, progress: ProgressSink): Promise<void> {
  const docker = await engine.client();
  try {
    const stream = await docker.pull(ref, { platform: arch.dockerPlatform });
    await new Promise<void>((resolve, reject) => {
      docker.modem.followProgress(stream, (error) => error ? reject(error) : resolve(),
        (event: { status?: string; progress?: string }) => { if (event.status) progress(`pull ${ref}: ${event.status}`); });
    });
  } catch (error) {
    throw new ExternalError('IMAGE_UNAVAILABLE',
      `Image ${ref} (${arch.dockerPlatform}) is not on the engine at ${engine.address} and could not be pulled: ${(error as Error).message.trim()}. ` +
      `Check the name and tag, log in to its registry (docker login), or set another image for this runtime in the config's "images" section ` +
      `(offline: imageSet: local, after bash scripts/setup-machine.sh).`, { fix: 'check the image reference' }, { cause: error });
  }
}

async function resolveReference(engine: Engine, ref: string, arch: Architecture, progress: ProgressSink): Promise<ResolvedImage> {
  let info = await inspectImage(engine, ref);
  if (!info) {
    progress(`pulling ${ref} for ${arch.dockerPlatform}`);
    await pull(engine, ref, arch, progress);
    info = await inspectImage(engine, ref);
    if (!info) throw new ExternalError('IMAGE_UNAVAILABLE', `Image ${ref} was pulled but the engine cannot find it.`);
  }
  checkArchitecture(ref, info, arch);
  return { ref, id: info.Id, arch };
}


/**
 * Copies an image from one engine to another through their APIs (save → load), so an engine that
 * cannot pull or build it gets exactly the same image (same ID). False when `from` lacks it.
 */
export async function copyImage(from: Engine, to: Engine, ref: string, progress: ProgressSink): Promise<boolean> {
  if (!await inspectImage(from, ref)) return false;
  progress(`copying ${ref} from the engine at ${from.address} to the one at ${to.address}`);
  try {
    const source = await (await from.client()).getImage(ref).get();
    const target = await to.client();
    await followToEnd(target, await target.loadImage(source as unknown as string, { quiet: true }));
  } catch (error) {
    throw new ExternalError('IMAGE_COPY_FAILED', `Copying image ${ref} from the engine at ${from.address} to the one at ${to.address} failed: ${(error as Error).message}. ` +
      `Check both engines, or build or pull the image on ${to.address} yourself.`, {}, { cause: error });
  }
  return true;
}

/** Memoises resolution per image and architecture, so parallel tasks share one pull or build. */
export class ImageResolver {
  private readonly pending = new Map<string, Promise<ResolvedImage>>();
  /**
   * `donor`, when given, is another engine (the default one) that may hold images this engine
   * lacks and cannot pull: local recipe images and their base, or images no registry has.
   */
  private readonly progress: ProgressSink;
  private readonly donor?: () => Promise<Engine | undefined>;

  /** `downloads` is where recipe context packages are kept between runs (the cache directory). */
  constructor(private readonly engine: Engine, options: { readonly downloads: string; readonly progress?: ProgressSink; readonly donor?: () => Promise<Engine | undefined> }) {
    this.downloads = options.downloads;
    this.progress = options.progress ?? (() => {});
    this.donor = options.donor;
  }

  private readonly downloads: string;

  /** Makes `ref` present on this engine by copying it from the donor; whether it is present now. */
  private async adopt(ref: string): Promise<boolean> {
    if (await inspectImage(this.engine, ref)) return true;
    const donor = await this.donor?.().catch(() => undefined);
    if (!donor || donor === this.engine) return false;
    return copyImage(donor, this.engine, ref, this.progress);
  }

  private async resolveRecipe(recipe: string, arch: Architecture): Promise<ResolvedImage> {
    const base = recipeBase(recipe, arch);
    const lookupBase = (ref: string, baseArch: Architecture) => resolveReference(this.engine, ref, baseArch, this.progress);
    if (this.donor && base?.origin === 'local') {
      // The same base gives the same recipe tag: copy the finished image rather than rebuild it.
      await this.adopt(base.ref);
      const ref = await recipeRef(this.engine, recipe, arch, async (r, a) => lookupBase(r, a));
      if (ref) await this.adopt(ref);
    }
    const ref = await buildRecipe(this.engine, recipe, arch, { progress: this.progress, resolveBase: lookupBase, downloads: this.downloads });
    return resolveReference(this.engine, ref, arch, this.progress);
  }

  private async resolveImage(ref: string, arch: Architecture): Promise<ResolvedImage> {
    try {
      return await resolveReference(this.engine, ref, arch, this.progress);
    } catch (error) {
      // Not pullable here (a local-only image): the default engine may have it.
      if (!(error instanceof ExternalError && error.code === 'IMAGE_UNAVAILABLE') || !await this.adopt(ref)) throw error;
      return resolveReference(this.engine, ref, arch, this.progress);
    }
  }

  private readonly peeked = new Map<string, Promise<ResolvedImage | undefined>>();

  /** The image's ID if it is already on the engine (right architecture), without pulling or building. */
  peek(choice: ImageChoice, arch: Architecture): Promise<ResolvedImage | undefined> {
    const key = `${choice.kind === 'recipe' ? `recipe:${choice.recipe}` : choice.ref}@${arch.name}`;
    let found = this.peeked.get(key);
    if (!found) {
      found = this.lookup(choice, arch);
      this.peeked.set(key, found);
    }
    return found;
  }

  private async lookup(choice: ImageChoice, arch: Architecture): Promise<ResolvedImage | undefined> {
    const ref = choice.kind === 'recipe'
      ? await recipeRef(this.engine, choice.recipe, arch, async (base) => (await inspectImage(this.engine, base).then((i) => i && { id: i.Id })))
      : choice.ref;
    const info = ref ? await inspectImage(this.engine, ref) : undefined;
    if (!ref || !info) return undefined;
    checkArchitecture(ref, info, arch);
    return { ref, id: info.Id, arch };
  }

  resolve(choice: ImageChoice, arch: Architecture): Promise<ResolvedImage> {
    const key = `${choice.kind === 'recipe' ? `recipe:${choice.recipe}` : choice.ref}@${arch.name}`;
    let found = this.pending.get(key);
    if (!found) {
      found = choice.kind === 'recipe' ? this.resolveRecipe(choice.recipe, arch) : this.resolveImage(choice.ref, arch);
      this.pending.set(key, found);
    }
    return found;
  }
}
