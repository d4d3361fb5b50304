// bun.lock (bun's text lockfile, JSON with trailing commas) into the lockfile model. Its package
// keys are node_modules paths written with '/': "debug" is node_modules/debug, "is-odd/is-number"
// is node_modules/is-odd/node_modules/is-number.
import path from 'node:path';
import { DEPENDENCY_FIELDS, LockfileBuilder, platformOf, record, splitSpec, stringRecord, type LockEdge, type Lockfile } from './lockfile-model.js';
import { lineIndex, lockfileError, parseJsoncText } from './lockfile-text.js';

/** "a/@s/b/c" → ["a", "@s/b", "c"]. */
export function keySegments(key: string): string[] {
  const parts = key.split('/');
  const segments: string[] = [];
  for (let i = 0; i < parts.length; i++) segments.push(parts[i]!.startsWith('@') && i + 1 < parts.length ? `${parts[i]}/${parts[++i]}` : parts[i]!);
  return segments;
}

export function parseBunLockfile(file: string, text: string): Lockfile {
  const doc = record(parseJsoncText('bun', file, text));
  const line = lineIndex(text);
  if (typeof doc.lockfileVersion !== 'number') throw lockfileError('bun', file, 1, 'no lockfileVersion (bun.lock starts with one)');
  const builder = new LockfileBuilder('bun', file, String(doc.lockfileVersion));
  const packages = record(doc.packages);
  const workspaces = record(doc.workspaces);
  const workspaceId = (dir: string) => `importer:${dir || '.'}`;

  /** A package key → the node it names (workspace members are importers). */
  const idOf = (key: string): string | undefined => {
    const tuple = packages[key];
    if (!Array.isArray(tuple) || typeof tuple[0] !== 'string') return undefined;
    const { range } = splitSpec(tuple[0]);
    return range.startsWith('workspace:') ? workspaceId(path.posix.normalize(range.slice('workspace:'.length))) : key;
  };
  const resolve = (prefix: string[], name: string): string | undefined => {
    for (let depth = prefix.length; depth >= 0; depth--) {
      const id = idOf([...prefix.slice(0, depth), name].join('/'));
      if (id !== undefined) return id;
    }
    return undefined;
  };
  const edgesOf = (from: string, prefix: string[], info: Record<string, unknown>, optionalPeers: Set<string>): LockEdge[] => {
    const edges: LockEdge[] = [];
    for (const [field, type] of DEPENDENCY_FIELDS) {
      for (const name of Object.keys(stringRecord(info[field]))) {
        const target = resolve(prefix, name);
        if (target !== undefined) edges.push({ name, target, type });
        else if (type === 'prod' || type === 'dev' || (type === 'peer' && !optionalPeers.has(name))) builder.miss({ from, name, type });
      }
    }
    return edges;
  };

  for (const [dir, raw] of Object.entries(workspaces)) {
    const info = record(raw);
    const name = typeof info.name === 'string' ? info.name : path.posix.basename(dir || '.');
    const id = workspaceId(dir);
    // A member's own nested packages are keyed under its name ("@acme/web/ms").
    builder.add({
      id, name, version: typeof info.version === 'string' ? info.version : '0.0.0', localPath: dir || '.',
      dependencies: edgesOf(id, dir ? [name] : [], info, new Set()), platform: {},
      ...(line(dir) ? { line: line(dir) } : {}),
    });
  }
  for (const [key, tuple] of Object.entries(packages)) {
    if (!Array.isArray(tuple) || typeof tuple[0] !== 'string') throw lockfileError('bun', file, line(key), `the package "${key}" is not a [resolution, …] list`);
    const spec = splitSpec(tuple[0]);
    if (spec.range.startsWith('workspace:')) continue;
    const info = record(tuple.find((part, i) => i > 0 && part && typeof part === 'object'));
    const integrity = tuple.slice(1).find((part): part is string => typeof part === 'string' && /^sha(1|256|384|512)-/.test(part));
    // npm packages: [spec, registry tarball URL ("" for the default registry), info, integrity];
    // git, github and tarball packages carry their URL in the spec.
    const semver = /^\d/.test(spec.range.replace(/^npm:/, ''));
    const resolved = semver ? (typeof tuple[1] === 'string' && tuple[1] ? tuple[1] : undefined) : spec.range;
    const local = /^(file|link):/.test(spec.range) ? path.posix.normalize(spec.range.replace(/^\w+:/, '')) : undefined;
    const optionalPeers = new Set(Array.isArray(info.optionalPeers) ? info.optionalPeers.filter((p): p is string => typeof p === 'string') : []);
    builder.add({
      id: key, name: spec.name, version: local !== undefined ? String(info.version ?? '0.0.0') : spec.range.replace(/^npm:/, ''),
      ...(local !== undefined ? { localPath: local } : resolved ? { resolved } : {}),
      ...(integrity ? { integrity } : {}),
      dependencies: edgesOf(key, keySegments(key), info, optionalPeers),
      installScript: info.hasInstallScript === true,
      platform: platformOf(info),
      ...(line(key) ? { line: line(key) } : {}),
    });
  }
  return builder.build();
}
