// Which image runs a function as Lambda would (the load check, invoke): the runtime's official
// Lambda base image (runtimes.ts), or with `imageSet: local` its offline stand-in from images/.
// Pure data; the docker layer resolves the choice like any other image.
import { runtimeBaseImage, type Architecture, type Runtime } from '../runtimes.js';
import { RECIPES } from '../recipes.js';
import type { ImageChoice } from './types.js';
import { mirrorImage, type ImageMirror } from '../image/mirror.js';

/** The runtime image for a task; undefined when `local` has no stand-in for the runtime. */
export function runtimeImageChoice(runtime: Runtime, arch: Architecture, imageSet: 'official' | 'local', mirror?: ImageMirror): ImageChoice | undefined {
  if (imageSet === 'official') return { kind: 'reference', ref: mirrorImage(runtimeBaseImage(runtime, arch), mirror), origin: 'official' };
  // The registry names each stand-in runtime-<runtime id>.
  const recipe = `runtime-${runtime.id}`;
  return RECIPES[recipe]?.role === 'runtime' ? { kind: 'recipe', recipe, origin: 'local' } : undefined;
}
