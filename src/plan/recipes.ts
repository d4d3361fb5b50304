// Which offline local image recipe (in images/) serves a runtime and builder, and which cross
// toolchain each recipe image carries. Pure data.
import type { BuilderName } from '../config/schema.js';
import type { Runtime } from '../runtimes.js';
import type { ImageChoice } from './types.js';

/**
 * How an image cross-compiles for the other architecture: `gnu` has Debian's cross gcc/g++
 * (`aarch64-linux-gnu-gcc`…) and the other architecture's Rust std; `zig` has rustup targets and
 * cargo-zigbuild (zig as linker, glibc pinned to the runtime's).
 */
export type CrossToolchain = 'gnu' | 'zig';

/** Recipe names are `<runtime id>`; the docker layer knows how to build each one. */
export const LOCAL_RECIPES: Readonly<Record<string, { readonly builders: readonly BuilderName[]; readonly cross?: CrossToolchain }>> = {
  'nodejs22.x': { builders: ['npm', 'make'] },
  'python3.11': { builders: ['pip', 'make'] },
  'provided.al2023': { builders: ['cargo', 'make'], cross: 'gnu' },
};

export function recipeFor(runtime: Runtime, builder: BuilderName): string | undefined {
  const recipe = LOCAL_RECIPES[runtime.id];
  return recipe && recipe.builders.includes(builder) ? runtime.id : undefined;
}

const OFFICIAL_RUST = 'rust-';

/** Official images lack cargo: a recipe adds it on top of the official build image. */
export function officialRecipeFor(runtime: Runtime, builder: BuilderName): string | undefined {
  return builder === 'cargo' ? `${OFFICIAL_RUST}${runtime.id}` : undefined;
}

/**
 * The cross toolchain a build image is known to carry. Only lambda-pack's own recipes are known;
 * an image from the config or a plain official one is assumed to have none.
 */
export function crossToolchainOf(image: ImageChoice | null): CrossToolchain | undefined {
  if (image?.kind !== 'recipe') return undefined;
  if (image.origin === 'official') return image.recipe.startsWith(OFFICIAL_RUST) ? 'zig' : undefined;
  return LOCAL_RECIPES[image.recipe]?.cross;
}

/** An image choice in words, for reasons and messages: `local recipe provided.al2023`. */
export function describeImage(image: ImageChoice | null): string {
  if (image === null) return 'no image';
  return image.kind === 'recipe' ? `the ${image.origin} recipe ${image.recipe}` : image.ref;
}
