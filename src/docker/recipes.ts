// Builds the image recipes in images/ through the engine API (no buildx, works on remote
// engines), tagged by a hash of every input so an unchanged recipe is never rebuilt.
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import tar from 'tar-stream';
import { ExternalError, InternalError } from '../errors.js';
import type { Architecture } from '../runtimes.js';
import type { Engine } from './engine.js';
import { readImageFile } from './image-file.js';
import { followToEnd, inspectImage } from './image-info.js';
import { RECIPES, recipeNames, type Recipe } from '../recipes.js';

export const IMAGES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../images');

async function fetchPackage(spec: string, dir: string): Promise<string> {
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
function recipeTag(recipe: Recipe, arch: Architecture, baseId: string, files: readonly { name: string; content: Buffer }[], producers: readonly string[]): string {
  const hash = createHash('sha256').update(baseId).update('\0');
  for (const f of files) hash.update(f.name).update('\0').update(f.content).update('\0');
  for (const pkg of recipe.packages) hash.update(pkg.file).update('\0').update(pkg.spec(arch)).update('\0');
  // The producing image's tag is the hash of its own inputs.
  for (const [i, a] of (recipe.artifacts ?? []).entries()) hash.update(a.file).update('\0').update(producers[i]!).update('\0').update(a.path(arch)).update('\0');
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
  if (!base) return undefined;
  const producers: string[] = [];
  for (const artifact of recipe.artifacts ?? []) {
    const producer = await recipeRef(engine, artifact.recipe, producerArch(engine, arch), resolveBase);
    if (!producer) return undefined;
    producers.push(producer);
  }
  return recipeTag(recipe, arch, base.id, await recipeFiles(recipe), producers);
}

/** The architecture a producing image is built for: the engine's own, so it never runs emulated. */
function producerArch(engine: Engine, arch: Architecture): Architecture {
  return engine.arch ?? arch;
}

/** Builds (or finds) the recipe's image for `arch`; returns its reference. */
export async function buildRecipe(engine: Engine, name: string, arch: Architecture, options: {
  readonly progress: (line: string) => void;
  readonly resolveBase: (ref: string, arch: Architecture) => Promise<{ id: string }>;
  /** Where fetched context packages are kept (the cache directory's downloads/). */
  readonly downloads: string;
}): Promise<string> {
  const { progress, resolveBase } = options;
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
  for (const pkg of recipe.packages) files.push({ name: pkg.file, content: await readFile(await fetchPackage(pkg.spec(arch), options.downloads)) });
  for (const artifact of recipe.artifacts ?? []) {
    const producer = await buildRecipe(engine, artifact.recipe, producerArch(engine, arch), options);
    files.push({ name: artifact.file, content: await readImageFile(engine, producer, producerArch(engine, arch), artifact.path(arch)) });
  }
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
