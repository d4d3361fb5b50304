// Which source files an install reads. Only those are sent into the container, and only those
// key the dependency cache: a change to the function's own code never reinstalls dependencies.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { SourceEntry } from '../package/sources.js';

/** Entries named in `files` or lying under one of `dirs` (all relative, '/'-separated). */
export function selectInputs(entries: readonly SourceEntry[], files: readonly string[], dirs: readonly string[]): SourceEntry[] {
  const wanted = new Set(files);
  const under = dirs.map((d) => d.replace(/^\.\//, '').replace(/\/+$/, '')).filter((d) => d && d !== '.' && !d.startsWith('..'));
  return entries.filter((e) => wanted.has(e.path) || under.some((d) => e.path === d || e.path.startsWith(`${d}/`))
    // Directories leading to a wanted file travel with it.
    || (e.kind === 'directory' && [...wanted, ...under].some((w) => w.startsWith(`${e.path}/`))));
}

function localSpec(spec: unknown): string | undefined {
  if (typeof spec !== 'string') return undefined;
  const match = /^(?:file|link):(.+)$/.exec(spec);
  return match ? path.posix.normalize(match[1]!) : undefined;
}

/** Local directories and tarballs an npm install reads: file:/link: dependencies, linked packages. */
export async function npmLocalPaths(source: string): Promise<string[]> {
  const found = new Set<string>();
  const json = async (name: string) => JSON.parse(await readFile(path.join(source, name), 'utf8').catch(() => '{}')) as Record<string, unknown>;
  const manifest = await json('package.json');
  for (const field of ['dependencies', 'optionalDependencies', 'devDependencies', 'peerDependencies']) {
    for (const spec of Object.values((manifest[field] ?? {}) as Record<string, unknown>)) {
      const local = localSpec(spec);
      if (local) found.add(local);
    }
  }
  for (const lockName of ['package-lock.json', 'npm-shrinkwrap.json']) {
    const packages = ((await json(lockName)).packages ?? {}) as Record<string, { resolved?: unknown; link?: boolean }>;
    for (const [key, info] of Object.entries(packages)) {
      if (key !== '' && !key.startsWith('node_modules/') && !key.includes('/node_modules/')) found.add(key);
      const local = localSpec(info.resolved) ?? (info.link && typeof info.resolved === 'string' ? info.resolved : undefined);
      if (local) found.add(local);
    }
  }
  return [...found].sort();
}

/** Packages whose install runs a build step (install scripts, node-gyp): they need the target CPU. */
export async function npmBuildSteps(source: string): Promise<string[]> {
  const found = new Set<string>();
  for (const lockName of ['package-lock.json', 'npm-shrinkwrap.json']) {
    const text = await readFile(path.join(source, lockName), 'utf8').catch(() => undefined);
    if (!text) continue;
    const packages = ((JSON.parse(text) as { packages?: Record<string, { hasInstallScript?: boolean; dev?: boolean }> }).packages) ?? {};
    for (const [key, info] of Object.entries(packages)) {
      if (key && info.hasInstallScript && !info.dev) found.add(key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length) || key);
    }
  }
  // Local packages can build without the lockfile saying so: a binding.gyp is enough for npm.
  for (const local of await npmLocalPaths(source)) {
    const dir = path.join(source, local);
    const manifest = JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8').catch(() => '{}')) as { name?: string; scripts?: Record<string, string> };
    const scripts = manifest.scripts ?? {};
    const gyp = await readFile(path.join(dir, 'binding.gyp')).then(() => true, () => false);
    if (gyp || scripts.install || scripts.preinstall || scripts.postinstall) found.add(manifest.name ?? local);
  }
  return [...found].sort();
}
