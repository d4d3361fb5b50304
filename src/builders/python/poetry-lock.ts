// poetry.lock (with the pyproject.toml beside it), read without Poetry. Lock format 2.1 (Poetry 2)
// records each package's groups and markers, which decide alone; older formats (1.1, 2.0: Poetry
// 1.x) are walked from pyproject.toml's dependencies through each package's dependencies. Up to
// date when its content-hash is pyproject.toml's, computed as Poetry computes it.
import { createHash } from 'node:crypto';
import path from 'node:path';
import { ConfigError } from '../../errors.js';
import { normaliseProject } from '../pip-tags.js';
import {
  asArray, asString, asTable, badEntry, readTomlFile, sha256Of,
  type DistributionSource, type LockEdge, type LockedPackage, type LockGraph, type LockIndex,
} from './lock-types.js';
import { poetrySpecifiers, pythonMarker } from './poetry-constraints.js';
import { parseRequirement } from './requirement.js';
import { pythonJsonDumps } from './python-json.js';

const FIX = 'Regenerate it with `poetry lock --no-update`.';
const PYPI = 'https://pypi.org/simple';
const LEGACY_KEYS = ['dependencies', 'source', 'extras', 'dev-dependencies'];
const RELEVANT_KEYS = [...LEGACY_KEYS, 'group'];
const PROJECT_KEYS = ['requires-python', 'dependencies', 'optional-dependencies'];

type Table = Record<string, unknown>;

/** Poetry's Locker._get_content_hash (1.x and 2.x): what makes a lock fresh. */
export function poetryContentHash(pyproject: Table): string {
  const project = asTable(pyproject.project);
  const poetry = asTable(asTable(pyproject.tool).poetry);
  const relevantProject: Table = {};
  for (const key of PROJECT_KEYS) if (project[key] !== undefined) relevantProject[key] = project[key];
  const hasProject = Object.keys(relevantProject).length > 0;
  const relevantPoetry: Table = {};
  for (const key of RELEVANT_KEYS) {
    const data = poetry[key];
    if (data === undefined && (!LEGACY_KEYS.includes(key) || hasProject)) continue;
    relevantPoetry[key] = data ?? null;
  }
  const content = hasProject ? { project: relevantProject, tool: { poetry: relevantPoetry } } : relevantPoetry;
  return createHash('sha256').update(pythonJsonDumps(content)).digest('hex');
}

function sourceOf(file: string, name: string, raw: Table): DistributionSource {
  const type = asString(raw.type);
  const url = asString(raw.url);
  if (!type || !url) return { kind: 'index', url: PYPI, name: 'PyPI' };
  switch (type) {
    case 'legacy': return { kind: 'index', url, ...(asString(raw.reference) ? { name: asString(raw.reference)! } : {}) };
    case 'directory': return { kind: 'directory', path: path.posix.normalize(url) };
    case 'file': return { kind: 'archive', path: path.posix.normalize(url) };
    case 'url': return { kind: 'url', url };
    case 'git': {
      const commit = asString(raw.resolved_reference) ?? asString(raw.reference);
      const subdirectory = asString(raw.subdirectory);
      return { kind: 'vcs', url: `git+${url}${commit ? `@${commit}` : ''}${subdirectory ? `#subdirectory=${subdirectory}` : ''}` };
    }
    default: throw badEntry(file, `package ${name} comes from a source of type "${type}", which lambda-pack does not install`, FIX);
  }
}

/** Edges from a Poetry dependency table (`name = "^1" | {version, markers, python, optional, extras} | [ … ]`). */
function dependencyEdges(dependencies: Table, options: { optional: boolean }): LockEdge[] {
  return Object.entries(dependencies).flatMap(([rawName, spec]) => {
    const name = normaliseProject(rawName);
    if (name === 'python') return [];
    return (Array.isArray(spec) ? spec : [spec]).flatMap((one): LockEdge[] => {
      const t = typeof one === 'string' ? { version: one } : asTable(one);
      if (Boolean(t.optional) !== options.optional) return [];
      const markers = [asString(t.markers), asString(t.python) ? pythonMarker(asString(t.python)!) : undefined].filter((m): m is string => Boolean(m));
      const specifiers = asString(t.version) ? poetrySpecifiers(asString(t.version)!) : undefined;
      return [{
        name, extras: asArray(t.extras).map((x) => normaliseProject(String(x))),
        ...(markers.length ? { marker: markers.map((m) => (markers.length > 1 ? `(${m})` : m)).join(' and ') } : {}),
        // One alternative is enough to pick among locked versions; several are left to the lock.
        ...(specifiers?.length === 1 && specifiers[0] ? { specifier: specifiers[0] } : {}),
      }];
    });
  });
}

function pep508Edges(requirements: readonly unknown[]): LockEdge[] {
  return requirements.flatMap((text) => {
    const r = parseRequirement(String(text));
    return r ? [{ name: r.name, extras: r.extras, ...(r.marker ? { marker: r.marker } : {}), ...(r.specifier ? { specifier: r.specifier } : {}) }] : [];
  });
}

function packagesOf(file: string, lock: Table, walk: boolean): LockedPackage[] {
  const legacyFiles = asTable(asTable(lock.metadata).files);
  return asArray(lock.package).map(asTable).map((raw) => {
    const name = normaliseProject(String(raw.name));
    const version = String(raw.version ?? '');
    const source = sourceOf(file, name, asTable(raw.source));
    const listed = raw.files !== undefined ? asArray(raw.files) : asArray(legacyFiles[String(raw.name)] ?? legacyFiles[name]);
    const optional: Record<string, LockEdge[]> = {};
    const ownOptional = dependencyEdges(asTable(raw.dependencies), { optional: true });
    for (const [extra, names] of Object.entries(asTable(raw.extras))) {
      const wanted = asArray(names).map((n) => parseRequirement(String(n).replace(/\s*\((.*)\)\s*$/, ' $1'))?.name).filter(Boolean);
      optional[normaliseProject(extra)] = ownOptional.filter((e) => wanted.includes(e.name));
    }
    const sourceKey = `${source.kind}:${'url' in source ? source.url : source.path}`;
    return {
      key: `${name}@${version}@${sourceKey}`, sourceKey, name, version, source,
      files: listed.map(asTable).flatMap((f) => {
        const sha256 = sha256Of(f.hash);
        return asString(f.file) ? [{ name: asString(f.file)!, ...(sha256 ? { sha256 } : {}) }] : [];
      }),
      dependencies: walk ? dependencyEdges(asTable(raw.dependencies), { optional: false }) : [],
      optional: walk ? optional : {},
    };
  });
}

/** Lock 2.1: every package names its groups and the markers under which each installs it. */
function groupEdges(lock: Table): { main: LockEdge[]; groups: Record<string, LockEdge[]> } {
  const groups: Record<string, LockEdge[]> = {};
  for (const raw of asArray(lock.package).map(asTable)) {
    const name = normaliseProject(String(raw.name));
    const version = String(raw.version ?? '');
    for (const group of asArray(raw.groups).map((g) => normaliseProject(String(g)))) {
      const marker = typeof raw.markers === 'string' ? raw.markers : asString(asTable(raw.markers)[group]);
      groups[group] ??= [];
      groups[group].push({ name, version, extras: [], ...(marker && marker !== '*' ? { marker } : {}) });
    }
  }
  const { main = [], ...rest } = groups;
  return { main, groups: rest };
}

/** Lock 2.0 and older: the roots come from pyproject.toml. */
function manifestEdges(pyproject: Table): { main: LockEdge[]; groups: Record<string, LockEdge[]>; extras: Record<string, LockEdge[]> } {
  const project = asTable(pyproject.project);
  const poetry = asTable(asTable(pyproject.tool).poetry);
  const groups: Record<string, LockEdge[]> = {};
  for (const [group, table] of Object.entries(asTable(poetry.group))) groups[normaliseProject(group)] = dependencyEdges(asTable(asTable(table).dependencies), { optional: false });
  const legacyDev = dependencyEdges(asTable(poetry['dev-dependencies']), { optional: false });
  if (legacyDev.length) groups.dev = [...(groups.dev ?? []), ...legacyDev];
  if (project.dependencies !== undefined) {
    const extras = Object.fromEntries(Object.entries(asTable(project['optional-dependencies'])).map(([extra, list]) => [normaliseProject(extra), pep508Edges(asArray(list))]));
    return { main: pep508Edges(asArray(project.dependencies)), groups, extras };
  }
  const optional = dependencyEdges(asTable(poetry.dependencies), { optional: true });
  const extras = Object.fromEntries(Object.entries(asTable(poetry.extras)).map(([extra, names]) => {
    const wanted = asArray(names).map((n) => normaliseProject(String(n)));
    return [normaliseProject(extra), optional.filter((e) => wanted.includes(e.name))];
  }));
  return { main: dependencyEdges(asTable(poetry.dependencies), { optional: false }), groups, extras };
}

/** The sources pyproject.toml names ([[tool.poetry.source]]). */
export function poetrySources(pyproject: Table): LockIndex[] {
  return asArray(asTable(asTable(pyproject.tool).poetry).source).map(asTable).flatMap((s) =>
    asString(s.url) ? [{ url: asString(s.url)!, ...(asString(s.name) ? { name: asString(s.name)! } : {}) }] : []);
}

/** Reads `<source>/poetry.lock` with `<source>/pyproject.toml`. Throws ConfigError naming the file and the fix. */
export async function readPoetryLock(source: string): Promise<LockGraph> {
  const file = path.join(source, 'poetry.lock');
  const manifest = path.join(source, 'pyproject.toml');
  const lock = await readTomlFile(file, FIX);
  const pyproject = await readTomlFile(manifest, 'Fix the TOML syntax of pyproject.toml.');
  const metadata = asTable(lock.metadata);
  const lockVersion = asString(metadata['lock-version']);
  if (!lockVersion || !/^[12]\.\d+$/.test(lockVersion)) throw badEntry(file, `lock-version ${lockVersion ?? '(none)'} is not one lambda-pack reads (1.x, 2.0, 2.1)`, FIX);
  const hash = asString(metadata['content-hash']);
  if (hash !== poetryContentHash(pyproject)) {
    throw new ConfigError('LOCKFILE_STALE', `${file} is out of date with pyproject.toml (its content-hash is not pyproject.toml's: dependencies, groups, extras or sources changed since it was locked). Run poetry lock --no-update, then build again.`, { file, fix: 'poetry lock --no-update' });
  }
  const byGroups = lockVersion === '2.1' || asArray(lock.package).some((p) => asTable(p).groups !== undefined);
  const roots = byGroups
    ? { ...groupEdges(lock), extras: Object.fromEntries(Object.keys(asTable(lock.extras)).map((x) => [normaliseProject(x), [] as LockEdge[]])) }
    : manifestEdges(pyproject);
  const poetry = asTable(asTable(pyproject.tool).poetry);
  const project = asTable(pyproject.project);
  const name = asString(project.name) ?? asString(poetry.name);
  const installsItself = pyproject['build-system'] !== undefined && poetry['package-mode'] !== false && name !== undefined;
  return {
    format: 'poetry.lock', file, packages: packagesOf(file, lock, !byGroups), ...roots,
    devGroups: ['dev'],
    ...(installsItself ? { project: { name: normaliseProject(name), path: '.' } } : {}),
    indexes: poetrySources(pyproject),
  };
}
