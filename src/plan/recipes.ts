// Which offline local image recipe (in images/) serves a runtime and builder. Pure data.
import type { BuilderName } from '../config/schema.js';
import type { Runtime } from '../runtimes.js';

/** Recipe names are `<runtime id>`; the docker layer knows how to build each one. */
export const LOCAL_RECIPES: Readonly<Record<string, { readonly builders: readonly BuilderName[] }>> = {
  'nodejs22.x': { builders: ['npm', 'make'] },
};

export function recipeFor(runtime: Runtime, builder: BuilderName): string | undefined {
  const recipe = LOCAL_RECIPES[runtime.id];
  return recipe && recipe.builders.includes(builder) ? runtime.id : undefined;
}
