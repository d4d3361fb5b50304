// What an npm function's package.json and lockfile say, read once on the host: the local
// packages the install reads (file:/link: dependencies) and the packages that run a build step.
import { access } from 'node:fs/promises';
import path from 'node:path';
import { readManifest } from './manifests.js';

export const NPM_LOCKFILES = ['package-lock.json', 'npm-shrinkwrap.json'] as const;

export interface PackageManifest {
  readonly name?: string;
  readonly scripts?: Record<string, string>;
  readonly dependencies?: Record<string, string>;
  readonly optionalDependencies?: Record<string, string>;
  readonly devDependencies?: Record<string, string>;
  readonly peerDependencies?: Record<string, string>;
}

export interface LockedPackage { readonly resolved?: unknown; readonly link?: boolean; readonly hasInstallScript?: boolean; readonly dev?: boolean }
export interface NpmLock { readonly file: string; readonly packages: Readonly<Record<string, LockedPackage>> }

const REGENERATE = 'Regenerate it with: npm install --package-lock-only';

export async function readPackageJson(dir: string): Promise<PackageManifest | undefined> {
  return await readManifest(path.join(dir, 'package.json'), 'json', 'Fix the JSON syntax of package.json.') as PackageManifest | undefined;
}

/** The lockfiles present in `source`, parsed. */
export async function readNpmLocks(source: string): Promise<NpmLock[]> {
  const locks: NpmLock[] = [];
  for (const name of NPM_LOCKFILES) {
    const file = path.join(source, name);
    const parsed = await readManifest(file, 'json', REGENERATE) as { packages?: Record<string, LockedPackage> } | undefined;
    if (parsed) locks.push({ file: name, packages: parsed.packages ?? {} });
  }
  return locks;
}

function localSpec(spec: unknown): string | undefined {
  if (typeof spec !== 'string') return undefined;
  const match = /^(?:file|link):(.+)$/.exec(spec);
  return match ? path.posix.normalize(match[1]!) : undefined;
}

/** Local directories and tarballs an npm install reads: file:/link: dependencies, linked packages. */
export function npmLocalPaths(manifest: PackageManifest, locks: readonly NpmLock[]): string[] {
  const found = new Set<string>();
  for (const field of ['dependencies', 'optionalDependencies', 'devDependencies', 'peerDependencies'] as const) {
    for (const spec of Object.values(manifest[field] ?? {})) {
      const local = localSpec(spec);
      if (local) found.add(local);
    }
  }
  for (const lock of locks) {
    for (const [key, info] of Object.entries(lock.packages)) {
      if (key !== '' && !key.startsWith('node_modules/') && !key.includes('/node_modules/')) found.add(key);
      const local = localSpec(info.resolved) ?? (info.link && typeof info.resolved === 'string' ? info.resolved : undefined);
      if (local) found.add(local);
    }
  }
  return [...found].sort();
}

/** Packages whose install runs a build step (install scripts, node-gyp): they need the target CPU. */
export async function npmBuildSteps(source: string, locks: readonly NpmLock[], localPaths: readonly string[]): Promise<string[]> {
  const found = new Set<string>();
  for (const lock of locks) {
    for (const [key, info] of Object.entries(lock.packages)) {
      if (key && info.hasInstallScript && !info.dev) found.add(key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length) || key);
    }
  }
  // Local packages can build without the lockfile saying so: a binding.gyp is enough for npm.
  for (const local of localPaths) {
    const dir = path.join(source, local);
    const manifest = await readPackageJson(dir).catch(() => undefined) ?? {};
    const scripts = manifest.scripts ?? {};
    const gyp = await access(path.join(dir, 'binding.gyp')).then(() => true, () => false);
    if (gyp || scripts.install || scripts.preinstall || scripts.postinstall) found.add(manifest.name ?? local);
  }
  return [...found].sort();
}
