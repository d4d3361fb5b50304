// Resolves the image a task runs in: present locally → pulled → built from a recipe, always for
// the task's platform, and refused when its architecture is not the task's.
import type Docker from 'dockerode';
import { ExternalError } from '../errors.js';
import type { Architecture } from '../runtimes.js';
import type { ImageChoice } from '../plan/types.js';
import type { Engine } from './engine.js';
import { buildRecipe, recipeRef } from './recipes.js';

export interface ResolvedImage {
  readonly ref: string;
  /** The engine's image ID (sha256:…), which changes whenever the image does. */
  readonly id: string;
  readonly arch: Architecture;
}

export type ProgressSink = (line: string) => void;

/** The image's inspect data, or undefined when the engine has no such image. */
export async function inspectImage(engine: Engine, ref: string): Promise<Docker.ImageInspectInfo | undefined> {
  let answer;
  try { answer = await engine.get(`/images/${encodeURIComponent(ref)}/json`); } catch (error) {
    throw new ExternalError('ENGINE_FAILED', `The engine at ${engine.address} failed to inspect image ${ref}: ${(error as Error).message}`, {}, { cause: error });
  }
  if (answer.status === 404) return undefined;
  if (answer.status !== 200) throw new ExternalError('ENGINE_FAILED', `The engine at ${engine.address} answered ${answer.status} inspecting image ${ref}: ${JSON.stringify(answer.body)}`);
  return answer.body as Docker.ImageInspectInfo;
}

export function checkArchitecture(ref: string, info: Pick<Docker.ImageInspectInfo, 'Architecture' | 'Os'>, arch: Architecture): void {
  if (info.Architecture !== arch.dockerArch || info.Os !== 'linux') {
    throw new ExternalError('IMAGE_WRONG_ARCH',
      `Image ${ref} is ${info.Os}/${info.Architecture}, but this task builds for ${arch.name} (${arch.dockerPlatform}). ` +
      `lambda-pack does not build in an image of another architecture, since the result would not load on Lambda. ` +
      `Use an image made for ${arch.dockerPlatform} (for example a ${arch.name} tag of the same image) in the "images" section of the config.`,
      { fix: `configure a ${arch.dockerPlatform} image` });
  }
}

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

/** Memoises resolution per image and architecture, so parallel tasks share one pull or build. */
export class ImageResolver {
  private readonly pending = new Map<string, Promise<ResolvedImage>>();
  constructor(private readonly engine: Engine, private readonly progress: ProgressSink = () => {}) {}

  private readonly peeked = new Map<string, Promise<ResolvedImage | undefined>>();

  /** The image's ID if it is already on the engine (right architecture), without pulling or building. */
  peek(choice: ImageChoice, arch: Architecture): Promise<ResolvedImage | undefined> {
    const key = `${choice.kind === 'recipe' ? `recipe:${choice.recipe}` : choice.ref}@${arch.name}`;
    let found = this.peeked.get(key);
    if (!found) this.peeked.set(key, found = this.lookup(choice, arch));
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
      found = choice.kind === 'recipe'
        ? buildRecipe(this.engine, choice.recipe, arch, this.progress, (ref, baseArch) => resolveReference(this.engine, ref, baseArch, this.progress)).then(async (ref) => resolveReference(this.engine, ref, arch, this.progress))
        : resolveReference(this.engine, choice.ref, arch, this.progress);
      this.pending.set(key, found);
    }
    return found;
  }
}
