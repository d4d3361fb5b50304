// The production dependency closure of one project directory in a lockfile (a function in a
// workspace, or the whole project), and the part of the lockfile it reaches as cache-key material:
// a dependency of another workspace member never changes this function's key.
import { ConfigError } from '../../errors.js';
import type { EdgeType, LockNode, Lockfile } from './lockfile-model.js';
import { REGENERATE } from './lockfile-text.js';

const INSTALLED: ReadonlySet<EdgeType> = new Set(['prod', 'optional', 'peer']);

export interface Closure {
  /** The node id of the project directory the closure starts from. */
  readonly root: string;
  /** Every node reached through production, optional and peer edges, the root included, sorted. */
  readonly ids: readonly string[];
  /** Project directories reached (workspace members, file: targets), the root's own excluded, sorted. */
  readonly localPaths: readonly string[];
}

/**
 * Walks production edges from `importerPath` (relative to the lockfile's directory). A declared
 * dependency the lockfile does not resolve, anywhere in the closure, is a ConfigError: the frozen
 * install would refuse it anyway, later and in a container.
 */
export function productionClosure(lockfile: Lockfile, importerPath: string, options: { readonly strict?: boolean } = {}): Closure {
  const strict = options.strict ?? true;
  const root = lockfile.importers.get(importerPath);
  if (root === undefined || !lockfile.nodes.has(root)) {
    // The project's own frozen install reports a stale lockfile in its own words.
    if (!strict) return { root: root ?? importerPath, ids: [], localPaths: [] };
    throw new ConfigError('LOCKFILE_OUT_OF_SYNC',
      `${lockfile.file} has no entry for ${importerPath === '.' ? 'the project root' : `the workspace package ${importerPath}`}: ` +
      `the lockfile was written before it was added to the workspace. Update the lockfile with: ${REGENERATE[lockfile.kind]}`,
      { file: lockfile.file, fix: REGENERATE[lockfile.kind] });
  }
  const seen = new Set<string>([root]);
  const queue = [root];
  while (queue.length) {
    const node = lockfile.nodes.get(queue.shift()!)!;
    for (const edge of node.dependencies) {
      if (!INSTALLED.has(edge.type) || seen.has(edge.target) || !lockfile.nodes.has(edge.target)) continue;
      seen.add(edge.target);
      queue.push(edge.target);
    }
  }
  const missing = strict ? lockfile.missing.filter((m) => seen.has(m.from) && m.type !== 'dev') : [];
  if (missing.length) {
    const first = missing[0]!;
    const from = lockfile.nodes.get(first.from);
    const who = from?.localPath !== undefined ? (from.localPath === '.' ? 'the project root' : from.localPath) : `${from?.name ?? first.from}@${from?.version ?? '?'}`;
    throw new ConfigError('LOCKFILE_OUT_OF_SYNC',
      `${lockfile.file}: ${who} depends on "${first.name}", which the lockfile does not pin` +
      `${missing.length > 1 ? ` (and ${missing.length - 1} more: ${missing.slice(1, 4).map((m) => m.name).join(', ')}${missing.length > 4 ? ', …' : ''})` : ''}. ` +
      `lambda-pack installs exactly what the lockfile pins. Update it with: ${REGENERATE[lockfile.kind]}`,
      { file: lockfile.file, field: first.name, fix: REGENERATE[lockfile.kind] });
  }
  const ids = [...seen].sort();
  const localPaths = ids.map((id) => lockfile.nodes.get(id)!.localPath).filter((p): p is string => p !== undefined && p !== importerPath);
  return { root, ids, localPaths: [...new Set(localPaths)].sort() };
}

function canonicalNode(node: LockNode): Record<string, unknown> {
  return {
    id: node.id, name: node.name, version: node.version,
    ...(node.localPath !== undefined ? { localPath: node.localPath } : {}),
    ...(node.resolved !== undefined ? { resolved: node.resolved } : {}),
    ...(node.integrity !== undefined ? { integrity: node.integrity } : {}),
    dependencies: node.dependencies.filter((e) => INSTALLED.has(e.type))
      .map((e) => [e.name, e.target, e.type]).sort((a, b) => (a.join('\0') < b.join('\0') ? -1 : 1)),
    ...(node.installScript !== undefined ? { installScript: node.installScript } : {}),
    platform: node.platform,
  };
}

/**
 * The lockfile as far as the closure reaches, as canonical JSON: the dependency cache key's
 * lockfile part. The root's own devDependencies and everything only other members reach are left out.
 */
export function closureKeyMaterial(lockfile: Lockfile, closure: Closure): string {
  return JSON.stringify({
    kind: lockfile.kind,
    lockfileVersion: lockfile.version,
    root: closure.root,
    nodes: closure.ids.map((id) => canonicalNode(lockfile.nodes.get(id)!)),
  });
}

/**
 * A workspace function's package.json against its entry in the lockfile: a production dependency
 * the lockfile does not pin for it is a ConfigError before any container (a frozen install of
 * the whole workspace would refuse it too).
 */
export function checkImporterInSync(lockfile: Lockfile, importerPath: string, dependencies: Readonly<Record<string, string>>, manifestFile: string): void {
  const root = lockfile.importers.get(importerPath);
  const node = root === undefined ? undefined : lockfile.nodes.get(root);
  const locked = new Set(node?.dependencies.filter((e) => e.type !== 'dev').map((e) => e.name));
  const stale = Object.keys(dependencies).filter((name) => !locked.has(name)).sort();
  if (!stale.length) return;
  throw new ConfigError('LOCKFILE_OUT_OF_SYNC',
    `${manifestFile} depends on "${stale[0]}"${stale.length > 1 ? ` (and ${stale.slice(1).join(', ')})` : ''}, which ${lockfile.file} does not pin for ${importerPath}. ` +
    `lambda-pack installs exactly what the lockfile pins. Update it with: ${REGENERATE[lockfile.kind]}`,
    { file: lockfile.file, field: stale[0]!, fix: REGENERATE[lockfile.kind] });
}
