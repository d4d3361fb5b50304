// Which offline local image recipe (in images/) serves a runtime and builder. Pure data.
import type { BuilderName } from '../config/schema.js';
import type { Runtime } from '../runtimes.js';

/** Recipe names are `<runtime id>`; the docker layer knows how to build each one. */
export const LOCAL_RECIPES: Readonly<Record<string, { readonly builders: readonly BuilderName[] }>> = {
  'nodejs22.x': { builders: ['npm', 'make'] },
  'python3.11': { builders: ['pip', 'make'] },
  'provided.al2023': { builders: ['cargo', 'make'] },
};

export function recipeFor(runtime: Runtime, builder: BuilderName): string | undefined {
  const recipe = LOCAL_RECIPES[runtime.id];
  return recipe && recipe.builders.includes(builder) ? runtime.id : undefined;
}

/** Official images lack cargo: a recipe adds it on top of the official build image. */
export function officialRecipeFor(runtime: Runtime, builder: BuilderName): string | undefined {
  return builder === 'cargo' ? `rust-${runtime.id}` : undefined;
}
