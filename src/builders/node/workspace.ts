// Where a Node function's install happens: its own directory when it has a lockfile, else the
// workspace root above it (found by walking up, never past the project's `root`) whose
// workspace globs (package.json "workspaces", pnpm-workspace.yaml "packages") include it.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import picomatch from 'picomatch';
import { ConfigError } from '../../errors.js';
import { findLockfile, type ManagerName } from './lockfile.js';
import { record } from './lockfile-model.js';
import { parseYamlText } from './lockfile-text.js';
import { parseManifest, type PackageManifest } from './manifest.js';

export interface InstallRoot {
  /** The directory holding the lockfile, relative to the project root ('' = the root itself). */
  readonly dir: string;
  readonly lockfileName: string;
  readonly manager: ManagerName;
  /** The function's directory relative to `dir` ('.' when the lockfile is its own). */
  readonly member: string;
  /** Workspace globs of `dir` (empty for a single project). */
  readonly patterns: readonly string[];
}

const toPosix = (p: string) => p.split(path.sep).join('/');

async function names(dir: string): Promise<string[]> {
  return readdir(dir).catch(() => []);
}

export async function readManifestFile(file: string, shownAs = file): Promise<PackageManifest | undefined> {
  const text = await readFile(file, 'utf8').catch(() => undefined);
  return text === undefined ? undefined : parseManifest(shownAs, text);
}

/** Workspace globs of a directory: pnpm-workspace.yaml "packages", else package.json "workspaces". */
export async function workspacePatterns(dir: string, shownAs: string): Promise<string[]> {
  const pnpm = await readFile(path.join(dir, 'pnpm-workspace.yaml'), 'utf8').catch(() => undefined);
  if (pnpm !== undefined) {
    const packages = record(parseYamlText('pnpm', `${shownAs}/pnpm-workspace.yaml`, pnpm)).packages;
    if (Array.isArray(packages)) return packages.filter((p): p is string => typeof p === 'string');
  }
  return [...((await readManifestFile(path.join(dir, 'package.json'), `${shownAs}/package.json`))?.workspaces ?? [])];
}

/** Whether a directory (relative to the workspace root) is matched by the workspace globs. */
export function isMember(patterns: readonly string[], dir: string): boolean {
  const clean = (p: string) => p.replace(/^\.\//, '').replace(/\/+$/, '');
  const include = patterns.filter((p) => !p.startsWith('!')).map(clean);
  const exclude = patterns.filter((p) => p.startsWith('!')).map((p) => clean(p.slice(1)));
  return include.length > 0 && picomatch(include)(dir) && !(exclude.length && picomatch(exclude)(dir));
}

/**
 * Walks up from `source` to `projectRoot` (absolute paths) to the first directory with a lockfile.
 * Undefined when there is none. A lockfile above a function that is not one of its workspace
 * members is an error: that install would not be the function's.
 */
export async function findInstallRoot(projectRoot: string, source: string): Promise<InstallRoot | undefined> {
  const rootRel = path.relative(projectRoot, source);
  if (rootRel.startsWith('..') || path.isAbsolute(rootRel)) throw new Error(`${source} is outside ${projectRoot}`);
  for (let dir = source; ; dir = path.dirname(dir)) {
    const rel = toPosix(path.relative(projectRoot, dir));
    const found = findLockfile(await names(dir), rel || '.');
    if (found) {
      const member = toPosix(path.relative(dir, source)) || '.';
      const patterns = await workspacePatterns(dir, rel || '.');
      if (member !== '.' && !isMember(patterns, member)) {
        const shown = `${rel ? `${rel}/` : ''}${found.name}`;
        throw new ConfigError('NOT_A_WORKSPACE_MEMBER',
          `${toPosix(rootRel)} has no lockfile of its own, and the nearest one above it, ${shown}, belongs to a project that does not list it as a workspace package ` +
          `(${patterns.length ? `its globs: ${patterns.join(', ')}` : 'it has no workspaces'}). Add ${member} to the workspace globs ` +
          `(${found.manager === 'pnpm' ? 'pnpm-workspace.yaml "packages"' : 'package.json "workspaces"'}) and update the lockfile, or give the function its own lockfile.`,
          { file: shown, field: found.manager === 'pnpm' ? 'packages' : 'workspaces' });
      }
      return { dir: rel, lockfileName: found.name, manager: found.manager, member, patterns };
    }
    if (path.resolve(dir) === path.resolve(projectRoot) || path.dirname(dir) === dir) return undefined;
  }
}

/** Every workspace member's directory (relative to the workspace root), sorted; node_modules and dot-directories skipped. */
export async function workspaceMembers(workspaceDir: string, patterns: readonly string[]): Promise<string[]> {
  if (!patterns.length) return [];
  const found: string[] = [];
  async function visit(rel: string): Promise<void> {
    const entries = await readdir(path.join(workspaceDir, rel), { withFileTypes: true }).catch(() => []);
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (!entry.isDirectory() || entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (isMember(patterns, child) && entries.length) {
        const hasManifest = (await names(path.join(workspaceDir, child))).includes('package.json');
        if (hasManifest) found.push(child);
      }
      await visit(child);
    }
  }
  await visit('');
  return found;
}

/** The root's and every member's package.json, by directory relative to the workspace root. */
export async function workspaceManifests(workspaceDir: string, shownAs: string, members: readonly string[]): Promise<Map<string, PackageManifest>> {
  const manifests = new Map<string, PackageManifest>();
  for (const dir of ['.', ...members]) {
    const shown = `${shownAs && shownAs !== '.' ? `${shownAs}/` : ''}${dir === '.' ? '' : `${dir}/`}package.json`;
    const manifest = await readManifestFile(path.join(workspaceDir, dir, 'package.json'), shown);
    if (manifest) manifests.set(dir, manifest);
  }
  return manifests;
}
