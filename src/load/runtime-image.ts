// Resolves the image a function runs in for the load check and invoke (see plan/runtime-image.ts),
// through the engine's image resolver: present, pulled, or built from its recipe.
import { ConfigError } from '../errors.js';
import type { ImageResolver, ResolvedImage } from '../docker/images.js';
import { runtimeImageChoice } from '../plan/runtime-image.js';
import { RECIPES } from '../recipes.js';
import type { Architecture, Runtime } from '../runtimes.js';

export async function runtimeImage(resolver: ImageResolver, runtime: Runtime, arch: Architecture, imageSet: 'official' | 'local', where = 'imageSet'): Promise<ResolvedImage> {
  const choice = runtimeImageChoice(runtime, arch, imageSet);
  if (!choice) {
    throw new ConfigError('NO_LOCAL_RUNTIME_IMAGE',
      `${where}: there is no offline stand-in for the ${runtime.id} runtime image (local ones: ${Object.keys(RECIPES).filter((r) => RECIPES[r]!.role === 'runtime').map((r) => r.replace(/^runtime-/, '')).join(', ')}), so the function cannot be run as Lambda would. ` +
      `Use the official image (imageSet: official), or turn the load check off for this function (loadCheck: false).`, { field: where });
  }
  return resolver.resolve(choice, arch);
}
