// lambda-pack's own pruned lockfile: the production closure of one project directory of any
// Node lockfile, written as a package.json + package-lock.json (v3) that `npm ci --install-links`
// installs for the target. Used for workspace members (their closure only, workspace packages as
// real copies) and for a bundle's native externals (only those packages).
import path from 'node:path';
import { ConfigError } from '../../errors.js';
import type { EdgeType, LockNode, Lockfile } from './lockfile-model.js';
import { productionClosure } from './closure.js';
import { checkLayout, hoist } from './hoist.js';
import { InternalError } from '../../errors.js';

const FOLLOWED: ReadonlySet<EdgeType> = new Set(['prod', 'optional', 'peer']);

export interface PrunedProject {
  /** The install directory's package.json (JSON text, stable key order). */
  readonly manifest: string;
  /** Its package-lock.json (lockfileVersion 3). */
  readonly lockfile: string;
  /** Project directories (relative to the lockfile's directory) installed as copies: they must be sent in. */
  readonly localPaths: readonly string[];
  /** Install path → "name@version", for plan output and tests. */
  readonly layout: ReadonlyMap<string, string>;
}

export interface PruneOptions {
  /** The project directory to install, relative to the lockfile's directory ('.' or a member). */
  readonly importer: string;
  /**
   * Install only these packages (a bundle's externals), each with what it depends on: a direct
   * dependency of the importer by that name, else the closure's package of that name and version.
   */
  readonly only?: readonly { readonly name: string; readonly version?: string }[];
  /** Name and version written into the install directory's package.json. */
  readonly name?: string;
  readonly version?: string;
}

/** A registry tarball URL (npm's, yarn's mirror, any registry's /name/-/file-version.tgz): npm refetches it by version. */
function isRegistryTarball(node: LockNode): boolean {
  const url = node.resolved;
  if (url === undefined) return true;
  if (/^[^@/]+@npm:|^@[^/]+\/[^@]+@npm:/.test(url)) return true;
  const base = node.name.split('/').pop()!;
  return /^https?:\/\//.test(url) && url.split('#')[0]!.endsWith(`/-/${base}-${node.version}.tgz`);
}

function fetchable(node: LockNode, file: string): string | undefined {
  const url = node.resolved;
  if (url === undefined || isRegistryTarball(node)) return undefined;
  if (/^(https?:|git\+|git:|github:|ssh:)/.test(url)) return url;
  throw new ConfigError('LOCKFILE_UNSUPPORTED',
    `${node.line ? `${file}:${node.line}` : file}: ${node.name}@${node.version} resolves to "${url}", which lambda-pack cannot install outside the project's own package manager ` +
    `(patched packages and other protocols are not supported for workspace functions and bundles yet). Depend on a registry version instead.`,
    { file, field: node.name });
}

function sortedObject(entries: Iterable<readonly [string, unknown]>): Record<string, unknown> | undefined {
  const sorted = [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return sorted.length ? Object.fromEntries(sorted) : undefined;
}

export function prunedNpmProject(lockfile: Lockfile, options: PruneOptions): PrunedProject {
  const closure = productionClosure(lockfile, options.importer);
  const nodes = lockfile.nodes;
  const importer = nodes.get(closure.root)!;
  const direct = importer.dependencies.filter((e) => e.type === 'prod' || e.type === 'optional');
  const rootEdges = options.only ? options.only.map((wanted) => {
    const fits = (id: string) => nodes.get(id)!.name === wanted.name && (wanted.version === undefined || nodes.get(id)!.version === wanted.version);
    const edge = direct.find((e) => e.name === wanted.name && fits(e.target));
    if (edge) return { ...edge, type: 'prod' as const };
    const id = closure.ids.find(fits);
    if (id === undefined) {
      throw new ConfigError('LOCKFILE_OUT_OF_SYNC',
        `${lockfile.file} does not pin ${wanted.name}${wanted.version ? `@${wanted.version}` : ''}, which the bundle imports from ${options.importer === '.' ? 'the project' : options.importer}'s dependencies. ` +
        `Update the lockfile (the packages installed on this machine differ from it), then build again.`,
        { file: lockfile.file, field: wanted.name });
    }
    return { name: wanted.name, target: id, type: 'prod' as const };
  }) : direct;
  const edgesOf = (id: string) => nodes.get(id)!.dependencies.filter((e) => FOLLOWED.has(e.type) && nodes.has(e.target));
  const hoistOptions = { root: new Map(rootEdges.map((e) => [e.name, e.target])), edgesOf };
  const layout = hoist(hoistOptions);
  const problems = checkLayout(layout, hoistOptions);
  if (problems.length) throw new InternalError('HOIST_INVALID', `the node_modules layout does not resolve: ${problems.slice(0, 3).join('; ')}`);

  // A package is optional when only optional edges lead to it (npm skips it when it does not fit).
  const required = new Set<string>();
  const queue = rootEdges.filter((e) => e.type !== 'optional').map((e) => e.target);
  while (queue.length) {
    const id = queue.shift()!;
    if (required.has(id)) continue;
    required.add(id);
    for (const e of edgesOf(id)) if (e.type !== 'optional') queue.push(e.target);
  }

  const fromDir = options.importer;
  const specOf = (name: string, node: LockNode): string => {
    if (node.localPath !== undefined) return `file:${path.posix.relative(fromDir, node.localPath) || '.'}`;
    const url = fetchable(node, lockfile.file);
    if (url) return url;
    return name === node.name ? node.version : `npm:${node.name}@${node.version}`;
  };
  const depsOf = (edges: readonly { name: string; target: string; type: EdgeType }[], optional: boolean) =>
    sortedObject(edges.filter((e) => (e.type === 'optional') === optional).map((e) => [e.name, specOf(e.name, nodes.get(e.target)!)] as const));

  const name = options.name ?? importer.name;
  const version = options.version ?? importer.version;
  const rootDeps = depsOf(rootEdges, false);
  const rootOptional = depsOf(rootEdges, true);
  const packages: Record<string, unknown> = {
    '': { name, version, ...(rootDeps ? { dependencies: rootDeps } : {}), ...(rootOptional ? { optionalDependencies: rootOptional } : {}) },
  };
  const localPaths = new Set<string>();
  for (const [installPath, id] of layout) {
    const node = nodes.get(id)!;
    const edges = edgesOf(id);
    const placedName = installPath.slice(installPath.lastIndexOf('node_modules/') + 'node_modules/'.length);
    const deps = depsOf(edges, false);
    const optionalDeps = depsOf(edges, true);
    if (node.localPath !== undefined) localPaths.add(node.localPath);
    const url = node.localPath === undefined ? fetchable(node, lockfile.file) : undefined;
    packages[installPath] = {
      ...(placedName !== node.name ? { name: node.name } : {}),
      version: node.version,
      ...(node.localPath !== undefined ? { resolved: specOf(placedName, node) } : url ? { resolved: url } : {}),
      ...(node.integrity && node.localPath === undefined ? { integrity: node.integrity } : {}),
      ...(required.has(id) ? {} : { optional: true }),
      // npm runs a fetched package's install scripts only when the lockfile says it has some;
      // when the source lockfile does not know (pnpm 9, yarn), npm must look.
      ...(node.installScript !== false ? { hasInstallScript: true } : {}),
      ...(deps ? { dependencies: deps } : {}),
      ...(optionalDeps ? { optionalDependencies: optionalDeps } : {}),
      ...(node.platform.os ? { os: node.platform.os } : {}),
      ...(node.platform.cpu ? { cpu: node.platform.cpu } : {}),
      ...(node.platform.libc ? { libc: node.platform.libc } : {}),
    };
  }
  const manifest = { name, version, private: true, ...(rootDeps ? { dependencies: rootDeps } : {}), ...(rootOptional ? { optionalDependencies: rootOptional } : {}) };
  const lock = { name, version, lockfileVersion: 3, requires: true, packages };
  return {
    manifest: `${JSON.stringify(manifest, null, 2)}\n`,
    lockfile: `${JSON.stringify(lock, null, 2)}\n`,
    localPaths: [...localPaths].sort(),
    layout: new Map([...layout].map(([p, id]) => [p, `${nodes.get(id)!.name}@${nodes.get(id)!.version}`])),
  };
}
