// yarn.lock of yarn berry (2 and later: YAML with __metadata) into the lockfile model. Berry keeps a
// workspace's devDependencies among its `dependencies`: the manifests tell them apart.
import path from 'node:path';
import { LockfileBuilder, record, splitSpec, stringRecord, type EdgeType, type LockEdge, type Lockfile, type Platform } from './lockfile-model.js';
import { lineIndex, lockfileError, parseYamlText } from './lockfile-text.js';
import type { PackageManifest } from './manifest.js';

/** "os=linux & cpu=x64 & libc=glibc" → { os: [linux], cpu: [x64], libc: [glibc] }. */
export function parseConditions(conditions: string): Platform {
  const platform: Record<string, string[]> = {};
  for (const [, key, value] of conditions.matchAll(/\b(os|cpu|libc)=([\w.-]+)/g)) {
    platform[key!] = [...(platform[key!] ?? []), value!];
  }
  return platform;
}

function importerEdgeType(manifest: PackageManifest | undefined, name: string): EdgeType {
  if (!manifest || name in manifest.dependencies) return 'prod';
  if (name in manifest.optionalDependencies) return 'optional';
  if (name in manifest.devDependencies) return 'dev';
  return 'prod';
}

export function parseYarnBerryLockfile(file: string, text: string, manifests: ReadonlyMap<string, PackageManifest>): Lockfile {
  const doc = record(parseYamlText('yarn-berry', file, text));
  const line = lineIndex(text);
  const metadata = record(doc.__metadata);
  if (metadata.version === undefined) {
    throw lockfileError('yarn-berry', file, 1, 'no __metadata section (a yarn berry lockfile starts with one)');
  }
  const builder = new LockfileBuilder('yarn-berry', file, String(metadata.version));
  const byDescriptor = new Map<string, string>();
  const entries: [string, Record<string, unknown>][] = [];
  for (const [key, raw] of Object.entries(doc)) {
    if (key === '__metadata') continue;
    const entry = record(raw);
    if (typeof entry.resolution !== 'string') throw lockfileError('yarn-berry', file, line(key), `the entry "${key}" has no resolution`);
    for (const descriptor of key.split(/,\s*/)) byDescriptor.set(descriptor, entry.resolution);
    entries.push([key, entry]);
  }
  for (const [key, entry] of entries) {
    const resolution = entry.resolution as string;
    const { name, range } = splitSpec(resolution);
    const workspace = range.startsWith('workspace:') ? path.posix.normalize(range.slice('workspace:'.length)) : undefined;
    const manifest = workspace !== undefined ? manifests.get(workspace) : undefined;
    const meta = record(entry.dependenciesMeta);
    const edges: LockEdge[] = [];
    for (const [dep, depRange] of Object.entries(stringRecord(entry.dependencies))) {
      // Berry adds node-gyp@latest to a package with a binding.gyp: a build tool the install
      // brings (npm bundles one), never a dependency that ships.
      if (dep === 'node-gyp' && depRange === 'npm:latest' && workspace === undefined) continue;
      const target = byDescriptor.get(`${dep}@${depRange}`);
      const type: EdgeType = workspace !== undefined ? importerEdgeType(manifest, dep) : record(meta[dep]).optional === true ? 'optional' : 'prod';
      if (target !== undefined) edges.push({ name: dep, target, type });
      else if (type !== 'optional') builder.miss({ from: resolution, name: dep, type });
    }
    const local = workspace ?? (/^(file|portal|link):/.test(range) ? path.posix.normalize(range.replace(/^\w+:/, '').replace(/#.*$/, '').replace(/::.*$/, '')) : undefined);
    const deps = stringRecord(entry.dependencies);
    builder.add({
      id: resolution, name, version: manifest?.version ?? String(entry.version ?? '0.0.0'),
      ...(local !== undefined ? { localPath: local } : { resolved: resolution }),
      dependencies: edges,
      // Berry adds node-gyp to the dependencies of a package with a binding.gyp and no install
      // script; other install scripts are not recorded in the lockfile.
      ...(deps['node-gyp'] === 'npm:latest' ? { installScript: true } : {}),
      platform: typeof entry.conditions === 'string' ? parseConditions(entry.conditions) : {},
      ...(line(key) ? { line: line(key) } : {}),
    });
    if (workspace !== undefined) builder.importer(workspace, resolution);
  }
  return builder.build();
}
