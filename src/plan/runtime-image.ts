// Which image runs a function as Lambda would (the load check, invoke): the runtime's official
// Lambda base image (runtimes.ts), or with `imageSet: local` its offline stand-in from images/.
// Pure data; the docker layer resolves the choice like any other image.
import { runtimeBaseImage, type Architecture, type Runtime } from '../runtimes.js';
import type { ImageChoice } from './types.js';

/** Runtime id → the recipe of its stand-in for the official base image. */
export const LOCAL_RUNTIME_RECIPES: Readonly<Record<string, string>> = {
  'nodejs22.x': 'runtime-nodejs22.x',
  'python3.11': 'runtime-python3.11',
  'provided.al2023': 'runtime-provided.al2023',
};

/** The runtime image for a task; undefined when `local` has no stand-in for the runtime. */
export function runtimeImageChoice(runtime: Runtime, arch: Architecture, imageSet: 'official' | 'local'): ImageChoice | undefined {
  if (imageSet === 'official') return { kind: 'reference', ref: runtimeBaseImage(runtime, arch), origin: 'official' };
  const recipe = LOCAL_RUNTIME_RECIPES[runtime.id];
  return recipe ? { kind: 'recipe', recipe, origin: 'local' } : undefined;
}
