// The one place the Node builders read a project from disk: the install root (the function's own
// lockfile, or the workspace root above it), the lockfile parsed once, the manifests, the install
// configuration files, and the files of the local packages the function's closure reaches.
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import { ConfigError } from '../../errors.js';
import { CONTAINER } from '../types.js';
import { productionClosure } from './closure.js';
import type { NodeProjectFacts } from './install-plan.js';
import { INSTALL_CONFIG_FILES } from './install-plan.js';
import { lockfileKind, parseLockfile } from './lockfile.js';
import { record } from './lockfile-model.js';
import { chooseManager } from './manager.js';
import { hasProductionDependencies, type PackageManifest } from './manifest.js';
import { npmPackFiles } from './packlist.js';
import { findInstallRoot, readManifestFile, workspaceManifests, workspaceMembers } from './workspace.js';

const toPosix = (p: string) => p.split(path.sep).join('/');
const shown = (dir: string, file: string) => (dir ? `${dir}/${file}` : file);

/** Files under `dir` (relative to it) matching a top-level directory name, for yarn's checked-in releases, plugins and patches. */
async function filesUnder(root: string, dir: string): Promise<string[]> {
  const found: string[] = [];
  async function visit(rel: string): Promise<void> {
    const entries = await readdir(path.join(root, rel), { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      const child = `${rel}/${entry.name}`;
      if (entry.isDirectory()) await visit(child);
      else if (entry.isFile()) found.push(child);
    }
  }
  await visit(dir);
  return found.sort();
}

export interface ReadOptions {
  /** The project root (absolute): no file above it is read. */
  readonly projectRoot: string;
  /** The function's source directory (absolute). */
  readonly source: string;
  /** `manifest:` — the directory of the package.json to install from, when it is not the source (absolute). */
  readonly manifestDir?: string;
}

export async function readNodeProject({ projectRoot, source, manifestDir }: ReadOptions): Promise<NodeProjectFacts> {
  const start = manifestDir ?? source;
  const relStart = toPosix(path.relative(projectRoot, start));
  const manifestFile = shown(relStart, 'package.json');
  const manifest = await readManifestFile(path.join(start, 'package.json'), manifestFile);
  if (!manifest) {
    throw new ConfigError('MANIFEST_MISSING', `${manifestFile} does not exist: a Node function installs from a package.json${manifestDir ? ' (set by "manifest")' : ''}.`, { file: manifestFile, field: manifestDir ? 'manifest' : 'source' });
  }
  const root = await findInstallRoot(projectRoot, start);
  if (!root) {
    return { installDir: relStart, member: '.', manifest, manifestFile, config: new Map(), managerFiles: [], localFiles: new Map() };
  }
  const installAbs = path.join(projectRoot, root.dir);
  const lockfileFile = shown(root.dir, root.lockfileName);
  const text = await readFile(path.join(installAbs, root.lockfileName), 'utf8');
  const kind = lockfileKind(root.lockfileName, text);
  const members = await workspaceMembers(installAbs, root.patterns);
  const manifests: Map<string, PackageManifest> = await workspaceManifests(installAbs, root.dir, members);
  const lockfile = parseLockfile(kind, lockfileFile, text, manifests);
  const rootManifest = manifests.get('.') ?? manifest;

  const config = new Map<string, string>();
  for (const dir of new Set(['.', root.member])) {
    for (const name of INSTALL_CONFIG_FILES) {
      const rel = dir === '.' ? name : `${dir}/${name}`;
      const content = await readFile(path.join(installAbs, rel), 'utf8').catch(() => undefined);
      if (content !== undefined) config.set(rel, content);
    }
  }
  const yarnrc = config.get('.yarnrc.yml');
  const yarnPath = yarnrc ? record(parse(yarnrc)).yarnPath : undefined;
  const managerFiles = (await Promise.all(['.yarn/releases', '.yarn/plugins', '.yarn/patches', 'patches'].map((d) => filesUnder(installAbs, d))))
    .flat().map((f) => f.replace(/^\//, ''));
  const manager = chooseManager({
    lockfile, manifestFile: shown(root.dir, 'package.json'),
    ...(rootManifest.packageManager ? { packageManager: rootManifest.packageManager } : {}),
    ...(typeof yarnPath === 'string' ? { yarnPath: `${CONTAINER.build}/${yarnPath}` } : {}),
  });

  // Local packages reach the container as npm would pack them (install-links copies exactly that).
  const localFiles = new Map<string, string[]>();
  if (hasProductionDependencies(manifest)) {
    for (const dir of productionClosure(lockfile, root.member).localPaths) {
      const abs = path.join(installAbs, dir);
      const rel = toPosix(path.relative(projectRoot, abs));
      if (rel.startsWith('..') || !existsSync(abs)) {
        throw new ConfigError('LOCAL_PACKAGE_OUTSIDE_ROOT',
          `${lockfileFile} installs ${dir} (a file: or workspace package) from ${rel.startsWith('..') ? 'outside the project root' : 'a directory that does not exist'}: ${toPosix(abs)}. ` +
          `Move it inside the project (or widen "root" in the config) so it can be sent to the build.`, { file: lockfileFile, field: 'root' });
      }
      const local = await readManifestFile(path.join(abs, 'package.json'), shown(rel, 'package.json'));
      const files = local ? await npmPackFiles(abs, local) : [];
      localFiles.set(dir, files.map((f) => path.posix.join(dir, f)));
    }
  }
  return {
    installDir: root.dir, member: root.member, manifest, manifestFile, lockfile, lockfileName: root.lockfileName, manager,
    config, managerFiles, localFiles,
  };
}
