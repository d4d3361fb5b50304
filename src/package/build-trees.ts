// node-gyp build trees in an installed node_modules: a directory where gyp configured a build
// (it holds gyp's config.gypi and Makefile) ships only what the package loads at run time — its
// built addons and shared libraries — never the Makefiles, .deps, obj.target or objects. When a
// package copies its addon elsewhere (node-pre-gyp's module_path), the build tree goes whole.
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';

/** Build configurations node-gyp builds into; their direct products are what packages load. */
const CONFIGURATIONS = ['Release', 'Debug'];
const LOADABLE = /\.node$|\.so(?:\.\d+)*$/;

export interface PrunedTree {
  /** The build tree, relative to the root. */
  readonly path: string;
  /** Bytes removed from it. */
  readonly bytes: number;
  /** Whether it went whole (its addon was copied out by node-pre-gyp). */
  readonly whole: boolean;
}

async function files(dir: string): Promise<{ rel: string; size: number }[]> {
  const found: { rel: string; size: number }[] = [];
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const absolute = path.join(entry.parentPath, entry.name);
    found.push({ rel: path.relative(dir, absolute).split(path.sep).join('/'), size: (await stat(absolute)).size });
  }
  return found;
}

/** Directories below `root` where gyp configured a build: config.gypi and Makefile side by side. */
async function gypTrees(root: string): Promise<string[]> {
  const trees: string[] = [];
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (entry.isFile() && entry.name === 'config.gypi') {
      const dir = entry.parentPath;
      if (await stat(path.join(dir, 'Makefile')).then((s) => s.isFile(), () => false)) trees.push(dir);
    }
  }
  return trees.sort();
}

/** What gyp's build tree holds that a package loads: its configurations' addons and shared libraries. */
export function isLoadableProduct(rel: string): boolean {
  const [configuration, ...rest] = rel.split('/');
  if (!CONFIGURATIONS.includes(configuration!) || rest.length === 0) return false;
  const name = rest[rest.length - 1]!;
  if (!LOADABLE.test(name)) return false;
  // Products sit in the configuration directory; shared libraries in its lib.target/.
  return rest.length === 1 || rest[0] === 'lib.target';
}

/** Whether the package (the build tree's parent) has a built addon outside its build trees. */
async function copiedOut(pkg: string, trees: readonly string[]): Promise<boolean> {
  const manifest = await readFile(path.join(pkg, 'package.json'), 'utf8').then((t) => JSON.parse(t) as { binary?: { module_path?: unknown } }, () => undefined);
  if (typeof manifest?.binary?.module_path !== 'string') return false;
  return (await files(pkg)).some((f) => f.rel.endsWith('.node') && !trees.some((t) => path.join(pkg, f.rel).startsWith(t + path.sep)));
}

export async function pruneBuildTrees(root: string): Promise<PrunedTree[]> {
  const trees = await gypTrees(root);
  const pruned: PrunedTree[] = [];
  for (const tree of trees) {
    const contents = await files(tree);
    const whole = await copiedOut(path.dirname(tree), trees);
    const dropped = whole ? contents : contents.filter((f) => !isLoadableProduct(f.rel));
    if (whole) await rm(tree, { recursive: true, force: true });
    else for (const f of dropped) await rm(path.join(tree, f.rel), { force: true });
    if (!whole) await removeEmptyDirectories(tree);
    pruned.push({ path: path.relative(root, tree).split(path.sep).join('/'), bytes: dropped.reduce((n, f) => n + f.size, 0), whole });
  }
  return pruned;
}

async function removeEmptyDirectories(dir: string): Promise<boolean> {
  let empty = true;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.isDirectory() && await removeEmptyDirectories(path.join(dir, entry.name))) continue;
    empty = false;
  }
  if (empty) await rm(dir, { recursive: true, force: true });
  return empty;
}
