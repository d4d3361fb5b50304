// What of a package directory npm would pack (`npm pack`): package.json "files", .npmignore (or
// .gitignore without one), and npm's always-included (package.json, README, LICENSE, main, bin)
// and always-excluded (.git, node_modules, .npmrc, lockfiles) lists. npm's own implementation,
// npm-packlist, given the one part of an Arborist tree it reads for a plain package.
import packlist from 'npm-packlist';
import type { PackageManifest } from './manifest.js';

interface PacklistTree {
  readonly path: string;
  readonly package: Readonly<Record<string, unknown>>;
  readonly isProjectRoot: boolean;
  readonly edgesOut: ReadonlyMap<string, unknown>;
}

/** Files npm would pack from `dir`, '/'-separated and sorted. bundleDependencies are not followed. */
export async function npmPackFiles(dir: string, manifest: PackageManifest): Promise<string[]> {
  const tree: PacklistTree = { path: dir, package: manifest.raw, isProjectRoot: true, edgesOut: new Map<string, unknown>() };
  const files = await packlist(tree);
  return files.map((f) => f.split('\\').join('/')).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

/**
 * Whether the function says what it publishes: a "files" list or an .npmignore. Only then do npm's
 * pack rules decide what ships; a .gitignore alone would drop build output (dist/) that a
 * function ships on purpose.
 */
export function declaresPackContents(manifest: PackageManifest, topLevelFiles: ReadonlySet<string>): boolean {
  return manifest.files !== undefined || topLevelFiles.has('.npmignore');
}
