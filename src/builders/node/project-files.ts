// The one place the Node builders read a project from disk: the install root (the function's own
// lockfile, or the workspace root above it), the lockfile parsed once, the manifests, the install
// configuration files, and the files of the local packages the function's closure reaches.
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import { ConfigError } from '../../errors.js';
import { productionClosure } from './closure.js';
import type { NodeProjectFacts } from './install-plan.js';
import { INSTALL_CONFIG_FILES } from './install-plan.js';
import { lockfileKind, parseLockfile } from './lockfile.js';
import { record } from './lockfile-model.js';
import { chooseManager } from './manager.js';
import { hasProductionDependencies, type PackageManifest } from './manifest.js';
import { findInstallRoot, readManifestFile, workspaceManifests, workspaceMembers } from './workspace.js';

const toPosix = (p: string) => p.split(path.sep).join('/');

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
  /** The function's name, for messages. */
  readonly name: string;
  /** The project root (absolute): no file above it is read. */
  readonly projectRoot: string;
  /** The function's source directory (absolute). */
  readonly source: string;
  /** `manifest:` — the directory of the package.json to install from, when it is not the source (absolute). */
  readonly manifestDir?: string;
}

/** Every file under a local package's directory (npm reads the whole directory), '/'-separated; node_modules and .git left out. */
async function localPackageFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  async function visit(rel: string): Promise<void> {
    const entries = await readdir(path.join(dir, rel), { withFileTypes: true });
    for (const entry of entries) {
      if (entry.name === 'node_modules' || entry.name === '.git') continue;
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) await visit(child);
      else if (entry.isFile()) found.push(child);
    }
  }
  await visit('');
  return found.sort();
}

export async function readNodeProject({ name, projectRoot, source, manifestDir }: ReadOptions): Promise<NodeProjectFacts> {
  const start = manifestDir ?? source;
  const relStart = toPosix(path.relative(projectRoot, start));
  const manifestFile = path.join(start, 'package.json');
  const manifest = await readManifestFile(path.join(start, 'package.json'), manifestFile);
  if (!manifest) {
    throw new ConfigError('MANIFEST_MISSING', `${manifestFile} does not exist: a Node function installs from a package.json${manifestDir ? ' (set by "manifest")' : ''}.`, { file: manifestFile, field: manifestDir ? 'manifest' : 'source' });
  }
  const root = await findInstallRoot(projectRoot, start);
  if (!root) {
    return { name, installDir: relStart, installPath: start, member: '.', manifest, manifestFile, config: new Map(), managerFiles: [], localFiles: new Map(), localBuilds: [], offset: '' };
  }
  const installAbs = path.join(projectRoot, root.dir);
  const lockfileFile = path.join(installAbs, root.lockfileName);
  const text = await readFile(path.join(installAbs, root.lockfileName), 'utf8');
  const kind = lockfileKind(root.lockfileName, text);
  const members = await workspaceMembers(installAbs, root.patterns);
  const manifests: Map<string, PackageManifest> = await workspaceManifests(installAbs, installAbs, members);
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
    lockfile, manifestFile: path.join(installAbs, 'package.json'),
    ...(rootManifest.packageManager ? { packageManager: rootManifest.packageManager } : {}),
    ...(typeof yarnPath === 'string' ? { yarnPath } : {}),
  });

  // Local packages reach the container whole: npm packs (install-links) or links them there.
  const localFiles = new Map<string, string[]>();
  const localBuilds: string[] = [];
  if (hasProductionDependencies(manifest)) {
    // file:/link: specs of package.json count too: a stale lockfile is npm's to report, not a reason to send less.
    const declared = Object.values({ ...manifest.dependencies, ...manifest.optionalDependencies })
      .map((spec) => /^(?:file|link):(.+)$/.exec(spec)?.[1]).filter((p): p is string => p !== undefined && !p.endsWith('.tgz'))
      .map((p) => path.posix.normalize(path.posix.join(root.member, p)));
    const closure = productionClosure(lockfile, root.member, { strict: root.member !== '.' }).localPaths;
    for (const dir of [...new Set([...closure, ...declared])].sort()) {
      const abs = path.join(installAbs, dir);
      const rel = toPosix(path.relative(projectRoot, abs));
      if (rel.startsWith('..') || !existsSync(abs)) {
        throw new ConfigError('LOCAL_PACKAGE_OUTSIDE_ROOT',
          `${lockfileFile} installs ${dir} (a file: or workspace package) from ${rel.startsWith('..') ? 'outside the project root' : 'a directory that does not exist'}: ${toPosix(abs)}. ` +
          `Move it inside the project (or widen "root" in the config) so it can be sent to the build.`, { file: lockfileFile, field: 'root' });
      }
      const local = await readManifestFile(path.join(abs, 'package.json'), path.join(abs, 'package.json'));
      const files = await localPackageFiles(abs);
      localFiles.set(dir, files.map((f) => path.posix.join(dir, f)));
      const scripts = local?.scripts ?? {};
      if (files.includes('binding.gyp') || local?.gypfile || scripts.preinstall || scripts.install || scripts.postinstall) localBuilds.push(local?.name ?? dir);
    }
  }
  // A local package beside the install root ("file:../shared") keeps its relative place in the
  // container: the build directory is then their common parent, the install root below it.
  let base = installAbs;
  for (const dir of localFiles.keys()) {
    const abs = path.resolve(installAbs, dir);
    while (path.relative(base, abs).startsWith('..')) base = path.dirname(base);
  }
  const offset = toPosix(path.relative(base, installAbs));
  return {
    name, installDir: root.dir, installPath: installAbs, member: root.member, manifest, manifestFile, lockfile, lockfileName: root.lockfileName, manager,
    config, managerFiles, localFiles, localBuilds: localBuilds.sort(), offset,
  };
}
