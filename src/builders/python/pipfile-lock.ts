// Pipfile.lock (with the Pipfile beside it), read without Pipenv. Each category (default, develop,
// custom ones) lists everything it installs, resolved, with markers and sha256 hashes (no file
// names). Up to date when _meta.hash is the Pipfile's, computed as Pipenv computes it.
import { createHash } from 'node:crypto';
import path from 'node:path';
import { ConfigError } from '../../errors.js';
import { normaliseProject } from '../pip-tags.js';
import {
  asArray, asString, asTable, badEntry, readJsonFile, readTomlFile, sha256Of,
  type DistributionSource, type LockEdge, type LockedPackage, type LockGraph, type LockIndex,
} from './lock-types.js';
import { pythonJsonDumps } from './python-json.js';

const FIX = 'Regenerate it with `pipenv lock`.';
/** Pipfile sections that are not package categories (plette's PIPFILE_SECTIONS). */
const NOT_CATEGORIES = new Set(['source', 'packages', 'dev-packages', 'requires', 'scripts', 'pipfile', 'pipenv']);
const DEFAULT_SOURCE = [{ name: 'pypi', url: 'https://pypi.org/simple', verify_ssl: true }];

type Table = Record<string, unknown>;

/** Pipenv's Pipfile hash (plette Pipfile.get_hash): what makes Pipfile.lock fresh. */
export function pipfileHash(pipfile: Table): string {
  const data: Table = {
    _meta: { sources: pipfile.source ?? DEFAULT_SOURCE, requires: pipfile.requires ?? {} },
    default: pipfile.packages ?? {}, develop: pipfile['dev-packages'] ?? {},
  };
  for (const [category, values] of Object.entries(pipfile)) {
    if (!NOT_CATEGORIES.has(category) && category !== 'default' && category !== 'develop') data[category] = values;
  }
  return createHash('sha256').update(pythonJsonDumps(data, [',', ':'])).digest('hex');
}

function sourceOf(file: string, name: string, entry: Table, indexes: readonly LockIndex[]): DistributionSource {
  const git = asString(entry.git);
  if (git) {
    const ref = asString(entry.ref);
    const subdirectory = asString(entry.subdirectory);
    return { kind: 'vcs', url: `${git.startsWith('git+') ? git : `git+${git}`}${ref ? `@${ref}` : ''}${subdirectory ? `#subdirectory=${subdirectory}` : ''}` };
  }
  const local = asString(entry.path);
  if (local) return /\.(whl|zip|tar\.gz|tgz|tar\.bz2|tar\.xz)$/i.test(local) ? { kind: 'archive', path: path.posix.normalize(local) } : { kind: 'directory', path: path.posix.normalize(local) };
  const url = asString(entry.file);
  if (url) {
    if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(url) || url.startsWith('file:')) return { kind: 'archive', path: path.posix.normalize(url.replace(/^file:(\/\/)?/, '')) };
    return { kind: 'url', url };
  }
  const indexName = asString(entry.index);
  const index = indexName ? indexes.find((i) => i.name === indexName) : indexes[0];
  if (!index) throw badEntry(file, `package ${name} names the index "${indexName}", which _meta.sources does not list`, FIX);
  return { kind: 'index', url: index.url, ...(index.name ? { name: index.name } : {}) };
}

/** Reads `<source>/Pipfile.lock` with `<source>/Pipfile`. Throws ConfigError naming the file and the fix. */
export async function readPipfileLock(source: string): Promise<LockGraph> {
  const file = path.join(source, 'Pipfile.lock');
  const manifest = path.join(source, 'Pipfile');
  const lock = await readJsonFile(file, FIX);
  const pipfile = await readTomlFile(manifest, 'Fix the TOML syntax of the Pipfile.');
  const meta = asTable(lock._meta);
  const recorded = asString(asTable(meta.hash).sha256);
  if (recorded !== pipfileHash(pipfile)) {
    throw new ConfigError('LOCKFILE_STALE', `${file} is out of date with the Pipfile (its _meta.hash is not the Pipfile's: packages, categories, sources or requires changed since it was locked). Run pipenv lock, then build again.`, { file, fix: 'pipenv lock' });
  }
  const indexes: LockIndex[] = asArray(meta.sources).map(asTable).flatMap((s) =>
    asString(s.url) ? [{ url: asString(s.url)!, ...(asString(s.name) ? { name: asString(s.name)! } : {}) }] : []);
  const packages = new Map<string, LockedPackage>();
  const categories: Record<string, LockEdge[]> = {};
  let project: LockGraph['project'];
  for (const [category, entries] of Object.entries(lock)) {
    if (category === '_meta') continue;
    const group = category === 'default' ? 'main' : category === 'develop' ? 'dev' : normaliseProject(category);
    for (const [rawName, rawEntry] of Object.entries(asTable(entries))) {
      const entry = asTable(rawEntry);
      const name = normaliseProject(rawName);
      const source = sourceOf(file, name, entry, indexes);
      if (source.kind === 'directory' && source.path === '.') { if (group === 'main') project = { name, path: '.' }; continue; }
      const version = (asString(entry.version) ?? '').replace(/^==/, '');
      const sourceKey = `${source.kind}:${'url' in source ? source.url : source.path}`;
      const key = `${name}@${version}@${sourceKey}`;
      if (!packages.has(key)) {
        packages.set(key, {
          key, sourceKey, name, version, source, dependencies: [], optional: {},
          files: asArray(entry.hashes).flatMap((h) => { const sha256 = sha256Of(h); return sha256 ? [{ name: '', sha256 }] : []; }),
        });
      }
      const marker = asString(entry.markers);
      categories[group] ??= [];
      categories[group].push({ name, version, sourceKey, extras: [], ...(marker ? { marker } : {}) });
    }
  }
  const { main = [], ...groups } = categories;
  return {
    format: 'Pipfile.lock', file, packages: [...packages.values()], main, groups, extras: {},
    devGroups: ['dev', 'develop'], ...(project ? { project } : {}), indexes,
  };
}
