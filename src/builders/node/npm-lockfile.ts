// package-lock.json / npm-shrinkwrap.json (lockfileVersion 2 and 3) into the lockfile model.
import path from 'node:path';
import { DEPENDENCY_FIELDS, LockfileBuilder, platformOf, record, stringRecord, type LockEdge, type Lockfile } from './lockfile-model.js';
import { lineIndex, lockfileError, parseJsonText } from './lockfile-text.js';

interface NpmEntry {
  name?: string;
  version?: string;
  resolved?: string;
  integrity?: string;
  link?: boolean;
  hasInstallScript?: boolean;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  [field: string]: unknown;
}

const NODE_MODULES = 'node_modules/';

/** The directory chain Node's resolution walks from a package key: itself, then each parent. */
function directories(key: string): string[] {
  const chain: string[] = [];
  for (let dir = key; ; dir = path.posix.dirname(dir)) {
    chain.push(dir === '.' ? '' : dir);
    if (dir === '' || dir === '.' || dir === '/' || dir === '..' || /^(\.\.\/)+\.\.$/.test(dir)) break;
  }
  if (chain[chain.length - 1] !== '') chain.push('');
  return chain;
}

function isLocalKey(key: string): boolean {
  return key !== '' && !key.startsWith(NODE_MODULES) && !key.includes(`/${NODE_MODULES}`);
}

export function parseNpmLockfile(file: string, text: string): Lockfile {
  const doc = record(parseJsonText('npm', file, text));
  const version = String(doc.lockfileVersion ?? '');
  const line = lineIndex(text);
  if (version === '1' || !doc.packages) {
    throw lockfileError('npm', file, line('lockfileVersion'),
      `lockfileVersion ${version || '(none)'} has no "packages" section (npm 6 and older); lambda-pack reads lockfileVersion 2 and 3, written by npm 7 and later`);
  }
  const packages = record(doc.packages) as Record<string, NpmEntry>;
  const builder = new LockfileBuilder('npm', file, version);
  const idOf = (key: string): string | undefined => {
    const entry = packages[key];
    if (!entry) return undefined;
    return entry.link && typeof entry.resolved === 'string' ? path.posix.normalize(entry.resolved) : key;
  };
  const resolve = (from: string, name: string): string | undefined => {
    for (const dir of directories(from)) {
      const id = idOf(dir ? `${dir}/${NODE_MODULES}${name}` : `${NODE_MODULES}${name}`);
      if (id !== undefined) return id;
    }
    return undefined;
  };

  for (const [key, raw] of Object.entries(packages)) {
    const entry = record(raw) as NpmEntry;
    if (entry.link) continue;
    const local = key === '' || isLocalKey(key);
    const name = entry.name ?? (local ? path.posix.basename(key || '.') : key.slice(key.lastIndexOf(NODE_MODULES) + NODE_MODULES.length));
    const edges: LockEdge[] = [];
    for (const [field, type] of DEPENDENCY_FIELDS) {
      // Only project directories keep their devDependencies in the lockfile.
      if (type === 'dev' && !local) continue;
      for (const dep of Object.keys(stringRecord(entry[field]))) {
        const target = resolve(key, dep);
        if (target !== undefined && (packages[target] || target === '')) edges.push({ name: dep, target, type });
        else if (type === 'prod' || type === 'dev' || (type === 'peer' && !entry.peerDependenciesMeta?.[dep]?.optional)) {
          builder.miss({ from: key, name: dep, type });
        }
      }
    }
    const fromFile = typeof entry.resolved === 'string' && entry.resolved.startsWith('file:') ? path.posix.normalize(entry.resolved.slice(5)) : undefined;
    builder.add({
      id: key,
      name,
      version: entry.version ?? '0.0.0',
      ...(local ? { localPath: key || '.' } : fromFile !== undefined ? { localPath: fromFile } : {}),
      ...(typeof entry.resolved === 'string' && !local ? { resolved: entry.resolved } : {}),
      ...(typeof entry.integrity === 'string' ? { integrity: entry.integrity } : {}),
      dependencies: edges,
      // npm records hasInstallScript for every fetched package that has one; a directory of the
      // project is looked at on disk instead.
      ...(local ? {} : { installScript: entry.hasInstallScript === true }),
      platform: platformOf(entry as Record<string, unknown>),
      ...(line(key) ? { line: line(key) } : {}),
    });
  }
  builder.importer('.', '');
  return builder.build();
}
