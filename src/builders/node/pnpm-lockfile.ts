// pnpm-lock.yaml (lockfileVersion 6.x of pnpm 8, 9.0 of pnpm 9 and later) into the lockfile model.
import path from 'node:path';
import { LockfileBuilder, platformOf, record, splitSpec, type EdgeType, type LockEdge, type Lockfile } from './lockfile-model.js';
import { lineIndex, lockfileError, parseYamlText } from './lockfile-text.js';
import type { PackageManifest } from './manifest.js';

const IMPORTER_FIELDS: readonly (readonly [string, EdgeType])[] = [['dependencies', 'prod'], ['optionalDependencies', 'optional'], ['devDependencies', 'dev']];
const PACKAGE_FIELDS: readonly (readonly [string, EdgeType])[] = [['dependencies', 'prod'], ['optionalDependencies', 'optional']];

function withoutPeers(key: string): string {
  const paren = key.indexOf('(');
  return paren < 0 ? key : key.slice(0, paren);
}

/** `version` of an importer entry: a string, or { specifier, version } since lockfile 6. */
function refOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  const version = record(value).version;
  return typeof version === 'string' ? version : undefined;
}

/** `manifests` (by directory, relative to the lockfile) give the members' names and versions, which pnpm does not record. */
export function parsePnpmLockfile(file: string, text: string, manifests: ReadonlyMap<string, PackageManifest> = new Map()): Lockfile {
  const doc = record(parseYamlText('pnpm', file, text));
  const version = String(doc.lockfileVersion ?? '');
  const line = lineIndex(text);
  const major = Number.parseInt(version, 10);
  if (major !== 6 && major !== 9) {
    throw lockfileError('pnpm', file, line('lockfileVersion'),
      `lockfileVersion ${version || '(none)'} is not one lambda-pack reads (6.x, written by pnpm 8, and 9.0, by pnpm 9 and later)`);
  }
  const v9 = major === 9;
  const packages = record(doc.packages);
  const snapshots = v9 ? record(doc.snapshots) : packages;
  const builder = new LockfileBuilder('pnpm', file, version);
  const importerId = (dir: string) => `importer:${dir}`;

  /** The node a dependency reference points at, seen from `fromDir` (for link: paths). */
  const target = (name: string, ref: string, fromDir: string): string => {
    if (ref.startsWith('link:')) return importerId(path.posix.normalize(path.posix.join(fromDir, ref.slice(5))));
    if (!v9) {
      if (ref.startsWith('/')) return ref;
      if (ref.startsWith('file:')) return ref;
      return `/${name}@${ref}`;
    }
    // An alias (`"bar": "npm:foo@1"`) records `foo@1.0.0` as its version.
    if (!/^[0-9]/.test(ref) && /^(@[^/@]+\/)?[^@/:]+@/.test(ref)) return ref;
    return `${name}@${ref}`;
  };

  const edgesOf = (from: string, entry: Record<string, unknown>, fields: typeof IMPORTER_FIELDS, fromDir: string): LockEdge[] => {
    const edges: LockEdge[] = [];
    for (const [field, type] of fields) {
      for (const [name, value] of Object.entries(record(entry[field]))) {
        const ref = refOf(value);
        const id = ref === undefined ? undefined : target(name, ref, fromDir);
        if (id !== undefined && (id.startsWith('importer:') || snapshots[id] !== undefined)) edges.push({ name, target: id, type });
        else if (type !== 'optional') builder.miss({ from, name, type });
      }
    }
    return edges;
  };

  // A lockfile of a single project (lockfile 6) keeps the root's dependencies at the top level.
  const importers = doc.importers ? record(doc.importers) : { '.': doc };
  for (const [dir, raw] of Object.entries(importers)) {
    const entry = record(raw);
    const id = importerId(path.posix.normalize(dir));
    const manifest = manifests.get(path.posix.normalize(dir));
    builder.add({
      id, name: manifest?.name ?? path.posix.basename(path.posix.resolve('/', dir)), version: manifest?.version ?? '0.0.0', localPath: path.posix.normalize(dir),
      dependencies: edgesOf(id, entry, IMPORTER_FIELDS, path.posix.normalize(dir)), platform: {},
      ...(line(dir) ? { line: line(dir) } : {}),
    });
  }

  for (const [key, raw] of Object.entries(snapshots)) {
    const snapshot = record(raw);
    const meta = v9 ? record(packages[withoutPeers(key)]) : snapshot;
    const resolution = record(meta.resolution);
    const spec = splitSpec(withoutPeers(v9 ? key : key.replace(/^\//, '')));
    const directory = typeof resolution.directory === 'string' ? path.posix.normalize(resolution.directory) : undefined;
    const requiresBuild = meta.requiresBuild === true;
    builder.add({
      id: key,
      name: typeof meta.name === 'string' ? meta.name : spec.name,
      version: typeof meta.version === 'string' ? meta.version : spec.range,
      ...(directory !== undefined ? { localPath: directory } : {}),
      ...(typeof resolution.tarball === 'string' ? { resolved: resolution.tarball } : {}),
      ...(typeof resolution.integrity === 'string' ? { integrity: resolution.integrity } : {}),
      dependencies: edgesOf(key, snapshot, PACKAGE_FIELDS, '.'),
      // Lockfile 6 marks requiresBuild (also, conservatively, for optional packages pnpm had not
      // fetched); lockfile 9 no longer records it.
      ...(v9 ? {} : { installScript: requiresBuild }),
      platform: platformOf(meta),
      ...(line(withoutPeers(key)) ? { line: line(withoutPeers(key)) } : {}),
    });
  }
  return builder.build();
}
