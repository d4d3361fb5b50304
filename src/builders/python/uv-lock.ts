// uv.lock (with the pyproject.toml beside it), read without uv: its packages with their files and
// hashes, the project's dependencies, extras and dependency groups, and whether it is up to date
// with pyproject.toml (uv records the project's requirements in [package.metadata]). Format:
// https://docs.astral.sh/uv/concepts/projects/layout/#the-lockfile (version 1, revisions 1-3).
import path from 'node:path';
import { ConfigError } from '../../errors.js';
import { normaliseProject } from '../pip-tags.js';
import {
  asArray, asString, asTable, badEntry, fileName, readTomlFile, sha256Of,
  type DistributionSource, type LockEdge, type LockedFile, type LockedPackage, type LockGraph, type LockIndex,
} from './lock-types.js';
import { markerExtra, parseRequirement, requirementKey } from './requirement.js';
import { canonicalSpecifiers } from './versions.js';

const FIX = 'Regenerate it with `uv lock`.';

/** uv's `source` table, as lambda-pack installs it (undefined for a virtual project: nothing to install). */
function sourceOf(file: string, name: string, raw: Record<string, unknown>): DistributionSource | undefined {
  const registry = asString(raw.registry);
  if (registry) return /^[a-z][a-z0-9+.-]*:\/\//i.test(registry) ? { kind: 'index', url: registry } : { kind: 'wheelhouse', path: path.posix.normalize(registry) };
  const git = asString(raw.git);
  if (git) {
    // uv: https://host/repo?rev=v1&subdirectory=pkg#<commit>; pip wants git+https://host/repo@<commit>#subdirectory=pkg
    const url = new URL(git);
    const commit = url.hash.slice(1);
    const subdirectory = url.searchParams.get('subdirectory');
    url.hash = ''; url.search = '';
    return { kind: 'vcs', url: `git+${url.toString()}${commit ? `@${commit}` : ''}${subdirectory ? `#subdirectory=${subdirectory}` : ''}` };
  }
  const url = asString(raw.url);
  if (url) return { kind: 'url', url };
  const archive = asString(raw.path);
  if (archive) return { kind: 'archive', path: path.posix.normalize(archive) };
  const directory = asString(raw.directory) ?? asString(raw.editable);
  if (directory) return { kind: 'directory', path: path.posix.normalize(directory) };
  if (asString(raw.virtual) !== undefined) return undefined;
  throw badEntry(file, `package ${name} has a source lambda-pack does not know (${Object.keys(raw).join(', ') || 'none'})`, FIX);
}

function sourceKey(raw: unknown): string {
  const table = asTable(raw);
  const [kind] = Object.keys(table);
  return kind ? `${kind}:${String(table[kind])}` : '';
}

function edges(raw: unknown): LockEdge[] {
  return asArray(raw).map((e) => {
    const edge = asTable(e);
    const version = asString(edge.version);
    const marker = asString(edge.marker);
    return {
      name: normaliseProject(String(edge.name)), extras: asArray(edge.extra).map((x) => normaliseProject(String(x))),
      ...(marker ? { marker } : {}), ...(version ? { version } : {}), ...(edge.source ? { sourceKey: sourceKey(edge.source) } : {}),
    };
  });
}

function files(raw: Record<string, unknown>): LockedFile[] {
  const file = (entry: unknown): LockedFile[] => {
    const t = asTable(entry);
    const where = asString(t.url) ?? asString(t.path) ?? asString(t.filename);
    const sha256 = sha256Of(t.hash);
    if (!where && !sha256) return [];
    return [{ name: where ? fileName(where) : '', ...(sha256 ? { sha256 } : {}), ...(asString(t.url) ? { url: asString(t.url)! } : {}) }];
  };
  return [...(raw.sdist ? file(raw.sdist) : []), ...asArray(raw.wheels).flatMap(file)];
}

interface PyProject {
  readonly project?: { name?: unknown; version?: unknown; dependencies?: unknown; 'optional-dependencies'?: unknown; 'requires-python'?: unknown };
  readonly 'dependency-groups'?: Record<string, unknown>;
  readonly tool?: { uv?: { 'dev-dependencies'?: unknown; package?: unknown; index?: unknown } };
}

/** PEP 735 groups with `{include-group = …}` expanded, plus uv's legacy dev-dependencies as `dev`. */
export function dependencyGroups(pyproject: PyProject): Record<string, string[]> {
  const raw = asTable(pyproject['dependency-groups']);
  const groups: Record<string, string[]> = {};
  const expand = (name: string, seen: string[]): string[] => asArray(raw[name] ?? raw[Object.keys(raw).find((k) => normaliseProject(k) === name) ?? '']).flatMap((entry) => {
    if (typeof entry === 'string') return [entry];
    const include = normaliseProject(String(asTable(entry)['include-group'] ?? ''));
    return include && !seen.includes(include) ? expand(include, [...seen, include]) : [];
  });
  for (const name of Object.keys(raw)) groups[normaliseProject(name)] = expand(normaliseProject(name), [normaliseProject(name)]);
  const legacy = asArray(pyproject.tool?.uv?.['dev-dependencies']).filter((d): d is string => typeof d === 'string');
  if (legacy.length) groups.dev = [...(groups.dev ?? []), ...legacy];
  return groups;
}

function lockRequirementKeys(raw: unknown): string[] {
  return asArray(raw).map((e) => {
    const t = asTable(e);
    return requirementKey({
      name: normaliseProject(String(t.name)), extras: asArray(t.extras).map((x) => normaliseProject(String(x))).sort(),
      specifier: canonicalSpecifiers(asString(t.specifier) ?? ''),
    }, markerExtra(asString(t.marker)));
  }).sort();
}

function pyprojectKeys(requirements: readonly string[], extra?: string): string[] {
  return requirements.map((text) => {
    const r = parseRequirement(text);
    return r ? requirementKey({ ...r, url: undefined }, extra ?? markerExtra(r.marker)) : text;
  });
}

function firstDifference(locked: readonly string[], declared: readonly string[]): string | undefined {
  const onlyDeclared = declared.filter((d) => !locked.includes(d));
  const onlyLocked = locked.filter((l) => !declared.includes(l));
  if (onlyDeclared.length) return `pyproject.toml requires ${onlyDeclared[0]}, which uv.lock does not record`;
  if (onlyLocked.length) return `uv.lock records ${onlyLocked[0]}, which pyproject.toml no longer requires`;
  return undefined;
}

/** Why uv.lock no longer matches pyproject.toml, if it does not (what `uv lock --check` would refuse). */
function staleness(lock: Record<string, unknown>, root: Record<string, unknown>, pyproject: PyProject): string | undefined {
  const project = pyproject.project ?? {};
  const declaredPython = asString(project['requires-python']);
  const lockedPython = asString(lock['requires-python']);
  if (declaredPython && lockedPython && canonicalSpecifiers(declaredPython) !== canonicalSpecifiers(lockedPython)) {
    return `pyproject.toml requires Python ${declaredPython}, uv.lock was made for ${lockedPython}`;
  }
  if (typeof project.version === 'string' && asString(root.version) && project.version !== root.version) {
    return `pyproject.toml says version ${project.version}, uv.lock ${String(root.version)}`;
  }
  const metadata = asTable(root.metadata);
  const optional = asTable(project['optional-dependencies']);
  const declared = [
    ...pyprojectKeys(asArray(project.dependencies).map(String)),
    ...Object.entries(optional).flatMap(([extra, deps]) => pyprojectKeys(asArray(deps).map(String), normaliseProject(extra))),
  ].sort();
  const dist = firstDifference(lockRequirementKeys(metadata['requires-dist']), declared);
  if (dist) return dist;
  const lockedGroups = asTable(metadata['requires-dev']);
  const groups = dependencyGroups(pyproject);
  for (const name of [...new Set([...Object.keys(groups), ...Object.keys(lockedGroups).map(normaliseProject)])].sort()) {
    const locked = lockRequirementKeys(lockedGroups[Object.keys(lockedGroups).find((k) => normaliseProject(k) === name) ?? '']);
    const difference = firstDifference(locked, pyprojectKeys(groups[name] ?? []).sort());
    if (difference) return `dependency group ${name}: ${difference}`;
  }
  return undefined;
}

/** The indexes pyproject.toml names ([[tool.uv.index]]), by name. */
export function uvIndexes(pyproject: PyProject): LockIndex[] {
  return asArray(pyproject.tool?.uv?.index).flatMap((raw) => {
    const t = asTable(raw);
    const url = asString(t.url);
    return url ? [{ url, ...(asString(t.name) ? { name: asString(t.name)! } : {}) }] : [];
  });
}

/** Reads `<source>/uv.lock` with `<source>/pyproject.toml`. Throws ConfigError naming the file and the fix. */
export async function readUvLock(source: string): Promise<LockGraph> {
  const file = path.join(source, 'uv.lock');
  const manifest = path.join(source, 'pyproject.toml');
  const lock = await readTomlFile(file, FIX);
  const pyproject = await readTomlFile(manifest, 'Fix the TOML syntax of pyproject.toml.') as PyProject;
  if (lock.version !== 1) throw badEntry(file, `version ${String(lock.version)} is not the uv.lock format lambda-pack reads (version 1)`, 'Regenerate it with a uv release that writes version 1, or update lambda-pack.');
  const projectName = asString(pyproject.project?.name);
  if (!projectName) throw new ConfigError('LOCKFILE_PROJECT', `${manifest} has no [project] name, so lambda-pack cannot find the project in uv.lock. Add [project] name (and version) to pyproject.toml and run uv lock.`, { file: manifest, field: 'project.name' });
  const rawPackages = asArray(lock.package).map(asTable);
  const rootRaw = rawPackages.find((p) => normaliseProject(String(p.name)) === normaliseProject(projectName));
  if (!rootRaw) throw new ConfigError('LOCKFILE_STALE', `${file} has no entry for the project ${projectName} of pyproject.toml: it is out of date. Run uv lock, then build again.`, { file, fix: 'uv lock' });
  const stale = staleness(lock, rootRaw, pyproject);
  if (stale) throw new ConfigError('LOCKFILE_STALE', `${file} is out of date with pyproject.toml: ${stale}. Run uv lock, then build again.`, { file, fix: 'uv lock' });

  const packages: LockedPackage[] = [];
  for (const raw of rawPackages) {
    if (raw === rootRaw) continue;
    const name = normaliseProject(String(raw.name));
    const source = sourceOf(file, name, asTable(raw.source));
    if (!source) continue; // a virtual workspace member: nothing to install
    packages.push({
      key: `${name}@${String(raw.version ?? '')}@${sourceKey(raw.source)}`, sourceKey: sourceKey(raw.source),
      name, version: String(raw.version ?? ''), source, files: files(raw),
      dependencies: edges(raw.dependencies),
      optional: Object.fromEntries(Object.entries(asTable(raw['optional-dependencies'])).map(([extra, list]) => [normaliseProject(extra), edges(list)])),
    });
  }
  const rootSource = asTable(rootRaw.source);
  const installsItself = rootSource.virtual === undefined && pyproject.tool?.uv?.package !== false;
  const indexes = uvIndexes(pyproject);
  return {
    format: 'uv.lock', file, packages,
    main: edges(rootRaw.dependencies),
    groups: Object.fromEntries(Object.entries(asTable(rootRaw['dev-dependencies'])).map(([group, list]) => [normaliseProject(group), edges(list)])),
    extras: Object.fromEntries(Object.entries(asTable(rootRaw['optional-dependencies'])).map(([extra, list]) => [normaliseProject(extra), edges(list)])),
    devGroups: ['dev'],
    ...(installsItself ? { project: { name: normaliseProject(projectName), path: '.' } } : {}),
    indexes,
  };
}
