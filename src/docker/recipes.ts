// Builds the image recipes in images/ through the engine API (no buildx, works on remote
// engines), tagged by a hash of every input so an unchanged recipe is never rebuilt.
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import tar from 'tar-stream';
import { ExternalError, InternalError } from '../errors.js';
import type { Architecture } from '../runtimes.js';
import { cacheRoot } from '../cache/location.js';
import type { Engine } from './engine.js';
import { followToEnd, inspectImage } from './images.js';

export const IMAGES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../images');

/** npm packages a recipe needs in its build context, fetched on the host with `npm pack`. */
interface ContextPackage { readonly file: string; readonly spec: (arch: Architecture) => string }

interface Recipe {
  readonly dir: string;
  readonly repository: string;
  /** The image this recipe builds FROM. */
  readonly base: (arch: Architecture) => string;
  /** local: made by images/base/build-base.sh, never pulled; registry: resolved (pulled) like any image. */
  readonly baseOrigin: 'local' | 'registry';
  readonly packages: readonly ContextPackage[];
  /**
   * Files of images/ that several recipes share (the tool list of every local image), sent into
   * the build context beside the recipe's own files, under their own names, and hashed into the tag.
   */
  readonly shared?: readonly string[];
}

const NODE_22 = '22.23.3';
const NPM_10 = '10.9.9';
const debianBase = (arch: Architecture) => `lambda-pack-local/debian-base:bookworm-${arch.name}`;

const officialProvided = (os: string) => (arch: Architecture) => `public.ecr.aws/sam/build-provided.${os}:latest-${arch.name}`;

/** What SAM's build images carry, for the offline local images (images/sam-tools.list). */
const SAM_TOOLS = ['sam-tools.list', 'sam-tools.sh'];

const RECIPES: Readonly<Record<string, Recipe>> = {
  'nodejs22.x': {
    dir: 'nodejs', repository: 'lambda-pack-local/nodejs22.x', base: debianBase, baseOrigin: 'local', shared: SAM_TOOLS,
    packages: [
      { file: 'node.tgz', spec: (arch) => `node-linux-${arch.nodeArch}@${NODE_22}` },
      { file: 'npm.tgz', spec: () => `npm@${NPM_10}` },
    ],
  },
  'python3.11': { dir: 'python', repository: 'lambda-pack-local/python3.11', base: debianBase, baseOrigin: 'local', packages: [], shared: SAM_TOOLS },
  'provided.al2023': { dir: 'provided', repository: 'lambda-pack-local/provided.al2023', base: debianBase, baseOrigin: 'local', packages: [], shared: SAM_TOOLS },
  'rust-provided.al2023': { dir: 'provided-rust', repository: 'lambda-pack/rust-provided.al2023', base: officialProvided('al2023'), baseOrigin: 'registry', packages: [] },
  'rust-provided.al2': { dir: 'provided-rust', repository: 'lambda-pack/rust-provided.al2', base: officialProvided('al2'), baseOrigin: 'registry', packages: [] },
};

/** Recipes that build offline, from the local Debian base (what `images build` makes). */
export function localRecipeNames(): string[] {
  return Object.keys(RECIPES).filter((name) => RECIPES[name]!.baseOrigin === 'local');
}

export function recipeNames(): string[] {
  return Object.keys(RECIPES);
}

async function fetchPackage(spec: string): Promise<string> {
  const dir = path.join(cacheRoot(), 'downloads');
  const file = path.join(dir, `${spec.replace(/[^A-Za-z0-9.@-]/g, '_')}.tgz`);
  if (await stat(file).then(() => true, () => false)) return file;
  await mkdir(dir, { recursive: true });
  const temp = await mkdtemp(path.join(dir, '.pack-'));
  try {
    // Loaded on demand: only an image build fetches packages, and execa is slow to load.
    const { execa } = await import('execa');
    const { stdout } = await execa('npm', ['pack', spec, '--json', '--pack-destination', temp], { stdin: 'ignore' });
    const [packed] = JSON.parse(stdout) as { filename: string }[];
    await rename(path.join(temp, packed!.filename), file);
    return file;
  } catch (error) {
    throw new ExternalError('RECIPE_FETCH', `Could not fetch ${spec} from the npm registry for an image recipe: ${(error as Error).message.split('\n')[0]}. Check the network or npm's registry settings.`, {}, { cause: error });
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}

/** The recipe's build context: its own directory's files and the shared ones, sorted by name. */
async function recipeFiles(recipe: Recipe): Promise<{ name: string; content: Buffer }[]> {
  const dir = path.join(IMAGES_DIR, recipe.dir);
  const own = (await readdir(dir)).map((name) => ({ name, file: path.join(dir, name) }));
  const shared = (recipe.shared ?? []).map((file) => ({ name: path.basename(file), file: path.join(IMAGES_DIR, file) }));
  const clash = shared.find((s) => own.some((o) => o.name === s.name));
  if (clash) throw new InternalError('RECIPE_CONTEXT', `images/${recipe.dir} has its own ${clash.name}, which would shadow the shared images/${clash.name}`);
  const files = [...own, ...shared].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return Promise.all(files.map(async ({ name, file }) => ({ name, content: await readFile(file) })));
}

/** Registry packages are immutable per version, so their specs (not their bytes) enter the tag. */
function recipeTag(recipe: Recipe, arch: Architecture, baseId: string, files: readonly { name: string; content: Buffer }[]): string {
  const hash = createHash('sha256').update(baseId).update('\0');
  for (const f of files) hash.update(f.name).update('\0').update(f.content).update('\0');
  for (const pkg of recipe.packages) hash.update(pkg.file).update('\0').update(pkg.spec(arch)).update('\0');
  return `${recipe.repository}:${arch.name}-${hash.digest('hex').slice(0, 12)}`;
}

function tarOf(files: readonly { name: string; content: Buffer }[]) {
  const pack = tar.pack();
  for (const f of files) pack.entry({ name: f.name, mtime: new Date(315532800000), mode: 0o644 }, f.content);
  pack.finalize();
  return pack;
}

type BaseResolver = (ref: string, arch: Architecture) => Promise<{ id: string } | undefined>;

/** The reference the recipe's image has for `arch` (its inputs' hash), without building it. */
export async function recipeRef(engine: Engine, name: string, arch: Architecture, resolveBase: BaseResolver): Promise<string | undefined> {
  const recipe = RECIPES[name];
  if (!recipe) throw new ExternalError('RECIPE_UNKNOWN', `No image recipe named ${name}. Known recipes: ${recipeNames().join(', ')}.`);
  const baseRef = recipe.base(arch);
  const base = recipe.baseOrigin === 'registry'
    ? await resolveBase(baseRef, arch)
    : await inspectImage(engine, baseRef).then((info) => info && { id: info.Id });
  return base ? recipeTag(recipe, arch, base.id, await recipeFiles(recipe)) : undefined;
}

/** Builds (or finds) the recipe's image for `arch`; returns its reference. */
export async function buildRecipe(engine: Engine, name: string, arch: Architecture, progress: (line: string) => void,
  resolveBase: (ref: string, arch: Architecture) => Promise<{ id: string }>): Promise<string> {
  const recipe = RECIPES[name];
  if (!recipe) throw new ExternalError('RECIPE_UNKNOWN', `No image recipe named ${name}. Known recipes: ${recipeNames().join(', ')}.`);
  const ref = await recipeRef(engine, name, arch, resolveBase);
  if (!ref) {
    throw new ExternalError('RECIPE_BASE_MISSING',
      `The local base image ${recipe.base(arch)} is not on the engine at ${engine.address}, so the offline ${name} image cannot be built. ` +
      `Create it with: bash images/base/build-base.sh ${arch.name} (or run bash scripts/setup-machine.sh).`);
  }
  if (await inspectImage(engine, ref)) return ref;
  const files = await recipeFiles(recipe);
  for (const pkg of recipe.packages) files.push({ name: pkg.file, content: await readFile(await fetchPackage(pkg.spec(arch))) });
  const baseRef = recipe.base(arch);
  progress(`building ${ref} from images/${recipe.dir}`);
  const log: string[] = [];
  try {
    const docker = await engine.client();
    const stream = await docker.buildImage(tarOf(files) as unknown as NodeJS.ReadableStream,
      { t: ref, buildargs: { BASE: baseRef }, platform: arch.dockerPlatform, pull: false, rm: true, forcerm: true } as Record<string, unknown>);
    await followToEnd(docker, stream, (event) => {
      for (const line of (event.stream ?? '').split('\n').filter(Boolean)) { log.push(line); progress(line); }
    });
  } catch (error) {
    throw new ExternalError('RECIPE_BUILD_FAILED', `Building the image ${ref} from images/${recipe.dir} failed: ${(error as Error).message}`,
      { logTail: log.slice(-30).join('\n') }, { cause: error });
  }
  return ref;
}

/** The image a recipe builds FROM for `arch`, and whether it comes from a registry or is made locally. */
export function recipeBase(name: string, arch: Architecture): { ref: string; origin: 'local' | 'registry' } | undefined {
  const recipe = RECIPES[name];
  return recipe && { ref: recipe.base(arch), origin: recipe.baseOrigin };
}
