// Lockfiles read by value: the fixtures' real poetry.lock (Poetry 1.3.2) and Pipfile.lock (Pipenv
// 2022.12.19), generated against the test index, the hand-written uv.lock, and samples of the
// other Poetry formats; what each installs for a task; and every bad input as a ConfigError.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { findLockfile, readLockfile } from '../../src/builders/python/lockfile.js';
import { lockedSet } from '../../src/builders/python/locked-set.js';
import { markerEnvironment } from '../../src/builders/python/markers.js';
import { pipfileHash } from '../../src/builders/python/pipfile-lock.js';
import { poetryContentHash, readPoetryLock } from '../../src/builders/python/poetry-lock.js';
import { readUvLock } from '../../src/builders/python/uv-lock.js';
import { parse } from 'smol-toml';
import { ARCHITECTURES, runtime } from '../../src/runtimes.js';
import { REPO } from '../helpers/cli.js';

const fixture = (name: string) => path.join(REPO, 'fixtures', name, 'function');
const py311 = runtime('python3.11');
const x86 = markerEnvironment(py311, ARCHITECTURES.x86_64);
const dirs: string[] = [];
afterEach(() => { for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true }); });

/** A copy of a fixture (or an empty directory) with some files replaced. */
function project(from: string | undefined, files: Record<string, string> = {}): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lambda-pack-locks-'));
  dirs.push(dir);
  if (from) cpSync(from, dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) writeFileSync(path.join(dir, name), content);
  return dir;
}

const summary = (dists: { name: string; version: string; source: { kind: string } }[]) => dists.map((d) => `${d.name}==${d.version} (${d.source.kind})`);

async function configError(promise: Promise<unknown> | (() => unknown)): Promise<ConfigError> {
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('uv.lock (hand-written following the uv.lock format, version 1 revision 3)', () => {
  it('installs the main dependencies and the project itself, not the Windows-only or dev ones', async () => {
    const graph = await readUvLock(fixture('python-uv'));
    expect(graph.project).toEqual({ name: 'uvfn', path: '.' });
    const dists = lockedSet(graph, x86);
    expect(dists).toEqual([
      { name: 'cfast', version: '0.1.0', source: { kind: 'index', url: 'https://pypi.org/simple' },
        files: [{ name: 'cfast-0.1.0.tar.gz', sha256: '5c81b01df78901f33574d11d0007382a91b8f16b6444fdd280f680c77c009a9f', url: 'https://files.pythonhosted.org/packages/lambda-pack-fixtures/cfast-0.1.0.tar.gz' }] },
      { name: 'markupsafe', version: '2.1.2', source: { kind: 'index', url: 'https://pypi.org/simple' },
        files: [{ name: 'MarkupSafe-2.1.2.tar.gz', sha256: 'abcabc8c2b26036d62d4c746381a6f7cf60aafcc653198ad678306986b09450d', url: 'https://files.pythonhosted.org/packages/95/7e/68018b70268fb4a2a605e2be44ab7b4dd7ce7808adae6c5ef32e34f4b55a/MarkupSafe-2.1.2.tar.gz' }] },
    ]);
  });

  it('adds an extra with its own dependencies when the config names it', async () => {
    const graph = await readUvLock(fixture('python-uv'));
    expect(summary(lockedSet(graph, markerEnvironment(py311, ARCHITECTURES.arm64, { extras: ['bits'] }))))
      .toEqual(['bitcount==1.0.0 (index)', 'cfast==0.1.0 (index)', 'markupsafe==2.1.2 (index)', 'tally==1.0.0 (index)']);
  });

  it('refuses the dev group, an unknown group and an unknown extra, naming what there is', async () => {
    const graph = await readUvLock(fixture('python-uv'));
    expect((await configError(() => lockedSet(graph, { ...x86, dependencyGroups: ['dev'] }))).code).toBe('DEV_GROUP_CHOSEN');
    const unknown = await configError(() => lockedSet(graph, { ...x86, dependencyGroups: ['lambda'] }));
    expect(unknown.code).toBe('DEPENDENCY_GROUP_UNKNOWN');
    expect(unknown.message).toContain('it has no groups besides the development one');
    expect((await configError(() => lockedSet(graph, { ...x86, extras: ['fast'] }))).message).toContain('it offers bits');
  });

  it('finds the lock out of date when pyproject.toml requires something it does not record', async () => {
    const manifest = readFileSync(path.join(fixture('python-uv'), 'pyproject.toml'), 'utf8');
    const stale = project(fixture('python-uv'), { 'pyproject.toml': manifest.replace('"markupsafe>=2.1",', '"markupsafe>=2.1",\n    "tally>=1.0",') });
    const error = await configError(readUvLock(stale));
    expect(error.code).toBe('LOCKFILE_STALE');
    expect(error.message).toBe(`${stale}/uv.lock is out of date with pyproject.toml: pyproject.toml requires tally>=1.0, which uv.lock does not record. Run uv lock, then build again.`);
    const group = project(fixture('python-uv'), { 'pyproject.toml': manifest.replace('dev = ["wheel>=0.38"]', 'dev = ["wheel>=0.39"]') });
    expect((await configError(readUvLock(group))).message).toContain('dependency group dev: pyproject.toml requires wheel>=0.39');
    const python = project(fixture('python-uv'), { 'pyproject.toml': manifest.replace('requires-python = ">=3.11"', 'requires-python = ">=3.12"') });
    expect((await configError(readUvLock(python))).message).toContain('pyproject.toml requires Python >=3.12, uv.lock was made for >=3.11');
  });
});

describe('poetry.lock', () => {
  it('reads the lock Poetry 1.3.2 wrote (format 2.0): walked from pyproject.toml, the Windows-only and dev packages left out', async () => {
    const graph = await readPoetryLock(fixture('python-poetry'));
    expect(graph.project).toBeUndefined(); // no [build-system]: not a package
    expect(graph.indexes).toEqual([{ name: 'loopback', url: 'http://172.17.0.1:36877/simple' }]);
    const dists = lockedSet(graph, markerEnvironment(py311, ARCHITECTURES.arm64));
    expect(summary(dists)).toEqual(['bitcount==1.0.0 (index)', 'tally==1.0.0 (index)']);
    expect(dists[0]!.source).toEqual({ kind: 'index', url: 'http://172.17.0.1:36877/simple', name: 'loopback' });
    expect(dists[0]!.files.map((f) => f.name)).toEqual(['bitcount-1.0.0-cp311-cp311-manylinux2014_aarch64.whl', 'bitcount-1.0.0-cp311-cp311-manylinux2014_x86_64.whl']);
  });

  it("computes Poetry's content-hash as Poetry does, and finds a changed pyproject.toml out of date", async () => {
    const manifest = readFileSync(path.join(fixture('python-poetry'), 'pyproject.toml'), 'utf8');
    const lock = parse(readFileSync(path.join(fixture('python-poetry'), 'poetry.lock'), 'utf8')) as { metadata: { 'content-hash': string } };
    expect(poetryContentHash(parse(manifest))).toBe(lock.metadata['content-hash']);
    const stale = project(fixture('python-poetry'), { 'pyproject.toml': manifest.replace('tally = "^1.0"', 'tally = "^1.0"\ncfast = "*"') });
    const error = await configError(readPoetryLock(stale));
    expect(error.code).toBe('LOCKFILE_STALE');
    expect(error.message).toContain('Run poetry lock --no-update');
  });

  it('reads the Poetry 2 format (2.1): groups and markers per package decide', async () => {
    const pyproject = '[project]\nname = "p2"\nversion = "1"\nrequires-python = ">=3.11"\ndependencies = ["tally>=1", "winlog>=1; sys_platform == \'win32\'"]\n[project.optional-dependencies]\nfast = ["cfast"]\n[tool.poetry.group.ops.dependencies]\nmarkupsafe = "*"\n[tool.poetry.group.dev.dependencies]\nwheel = "*"\n';
    const hash = poetryContentHash(parse(pyproject));
    const pkg = (name: string, version: string, groups: string, markers = '') => `[[package]]\nname = "${name}"\nversion = "${version}"\ndescription = ""\noptional = false\npython-versions = ">=3.9"\ngroups = ${groups}\n${markers}files = [\n    {file = "${name}-${version}-py3-none-any.whl", hash = "sha256:${'1'.repeat(64)}"},\n]\n\n`;
    const lock = pkg('bitcount', '1.0.0', '["main"]') + pkg('cfast', '0.1.0', '["main"]', 'markers = "extra == \\"fast\\""\n') + pkg('markupsafe', '2.1.2', '["ops"]')
      + pkg('tally', '1.0.0', '["main"]') + pkg('wheel', '0.38.4', '["dev"]') + pkg('winlog', '1.0.0', '["main"]', 'markers = "sys_platform == \\"win32\\""\n')
      + `[extras]\nfast = ["cfast"]\n\n[metadata]\nlock-version = "2.1"\npython-versions = ">=3.11"\ncontent-hash = "${hash}"\n`;
    const graph = await readPoetryLock(project(undefined, { 'pyproject.toml': pyproject, 'poetry.lock': lock }));
    expect(summary(lockedSet(graph, x86))).toEqual(['bitcount==1.0.0 (index)', 'tally==1.0.0 (index)']);
    expect(summary(lockedSet(graph, { ...x86, extras: ['fast'], dependencyGroups: ['ops'] }))).toEqual(['bitcount==1.0.0 (index)', 'cfast==0.1.0 (index)', 'markupsafe==2.1.2 (index)', 'tally==1.0.0 (index)']);
  });

  it('reads the Poetry 1.1 format, whose files are listed under [metadata.files]', async () => {
    const pyproject = '[tool.poetry]\nname = "old"\nversion = "1"\n[tool.poetry.dependencies]\npython = "^3.9"\ncfast = "^0.1"\n';
    const lock = `[[package]]\nname = "cfast"\nversion = "0.1.0"\ndescription = ""\ncategory = "main"\noptional = false\npython-versions = ">=3.9"\n\n[metadata]\nlock-version = "1.1"\npython-versions = "^3.9"\ncontent-hash = "${poetryContentHash(parse(pyproject))}"\n\n[metadata.files]\ncfast = [\n    {file = "cfast-0.1.0.tar.gz", hash = "sha256:${'2'.repeat(64)}"},\n]\n`;
    const dists = lockedSet(await readPoetryLock(project(undefined, { 'pyproject.toml': pyproject, 'poetry.lock': lock })), x86);
    expect(dists).toEqual([{ name: 'cfast', version: '0.1.0', source: { kind: 'index', url: 'https://pypi.org/simple', name: 'PyPI' }, files: [{ name: 'cfast-0.1.0.tar.gz', sha256: '2'.repeat(64) }] }]);
  });
});

describe('Pipfile.lock', () => {
  it('reads the lock Pipenv 2022.12.19 wrote: default only, the index URL left a variable', async () => {
    const graph = await readLockfile(fixture('python-pipenv'), 'Pipfile.lock');
    expect(graph.indexes).toEqual([{ name: 'loopback', url: '${LAMBDA_PACK_TEST_INDEX}' }]);
    expect(lockedSet(graph, x86)).toEqual([
      { name: 'cfast', version: '0.1.0', source: { kind: 'index', url: '${LAMBDA_PACK_TEST_INDEX}', name: 'loopback' }, files: [{ name: '', sha256: '5c81b01df78901f33574d11d0007382a91b8f16b6444fdd280f680c77c009a9f' }] },
      { name: 'markupsafe', version: '2.1.2', source: { kind: 'index', url: '${LAMBDA_PACK_TEST_INDEX}', name: 'loopback' }, files: [{ name: '', sha256: 'abcabc8c2b26036d62d4c746381a6f7cf60aafcc653198ad678306986b09450d' }] },
    ]);
    expect((await configError(() => lockedSet(graph, { ...x86, dependencyGroups: ['develop'] }))).code).toBe('DEV_GROUP_CHOSEN');
  });

  it("computes the Pipfile's hash as Pipenv does, and finds a changed Pipfile out of date", async () => {
    const pipfile = readFileSync(path.join(fixture('python-pipenv'), 'Pipfile'), 'utf8');
    expect(pipfileHash(parse(pipfile))).toBe('5ba932809fe56cda77ffb43583a20d84edaa9de3c2c4e9b9ba6fd2acadfb2a7f');
    const stale = project(fixture('python-pipenv'), { Pipfile: pipfile.replace('markupsafe = "==2.1.2"', 'markupsafe = "==2.1.3"') });
    expect((await configError(readLockfile(stale, 'Pipfile.lock'))).message).toBe(`${stale}/Pipfile.lock is out of date with the Pipfile (its _meta.hash is not the Pipfile's: packages, categories, sources or requires changed since it was locked). Run pipenv lock, then build again.`);
  });

  it('installs the project itself for a `path = "."` entry, and a custom category when chosen', async () => {
    const pipfile = '[packages]\napp = {path = ".", editable = true}\n\n[tools]\ncfast = "*"\n';
    const lock = JSON.stringify({
      _meta: { hash: { sha256: pipfileHash(parse(pipfile)) }, 'pipfile-spec': 6, requires: {}, sources: [{ name: 'pypi', url: 'https://pypi.org/simple', verify_ssl: true }] },
      default: { app: { editable: true, path: '.' } },
      develop: {},
      tools: { cfast: { hashes: [`sha256:${'3'.repeat(64)}`], version: '==0.1.0', index: 'pypi' } },
    });
    const graph = await readLockfile(project(undefined, { Pipfile: pipfile, 'Pipfile.lock': lock }), 'Pipfile.lock');
    expect(graph.project).toEqual({ name: 'app', path: '.' });
    expect(summary(lockedSet(graph, { ...x86, dependencyGroups: ['tools'] }))).toEqual(['cfast==0.1.0 (index)']);
  });
});

describe('bad lockfile inputs', () => {
  it('refuses two lockfiles, a lockfile without its manifest, an unlocked Pipfile and a lockfile beside requirements.txt', () => {
    const error = (files: string[]) => { try { findLockfile('/src/fn', new Set(files)); } catch (e) { return (e as ConfigError).code; } return 'none'; };
    expect(error(['uv.lock', 'poetry.lock', 'pyproject.toml'])).toBe('LOCKFILES_SEVERAL');
    expect(error(['poetry.lock'])).toBe('LOCKFILE_MANIFEST_MISSING');
    expect(error(['Pipfile'])).toBe('PIPFILE_UNLOCKED');
    expect(error(['uv.lock', 'pyproject.toml', 'requirements.txt'])).toBe('LOCKFILE_AND_REQUIREMENTS');
    expect(findLockfile('/src/fn', new Set(['Pipfile', 'Pipfile.lock']))).toBe('Pipfile.lock');
    expect(findLockfile('/src/fn', new Set(['pyproject.toml']))).toBeUndefined();
  });

  it('names file:line of malformed TOML and JSON', async () => {
    const toml = project(fixture('python-uv'), { 'uv.lock': 'version = 1\n[[package]]\nname = "x"\nversion = \n' });
    const tomlError = await configError(readUvLock(toml));
    expect(tomlError.code).toBe('MANIFEST_INVALID');
    expect(tomlError.message).toMatch(new RegExp(`^${toml}/uv.lock:4: cannot read uv.lock: .+\\. Regenerate it with \`uv lock\`\\.$`));
    const json = project(fixture('python-pipenv'), { 'Pipfile.lock': '{\n  "_meta": {},\n  "default": {,\n}\n' });
    expect((await configError(readLockfile(json, 'Pipfile.lock'))).message).toMatch(new RegExp(`^${json}/Pipfile.lock:3: cannot read Pipfile.lock: .+ Regenerate it with \`pipenv lock\`\\.$`));
  });

  it('names the package a lockfile lacks for the task', async () => {
    const lock = readFileSync(path.join(fixture('python-uv'), 'uv.lock'), 'utf8').replace(/\[\[package\]\]\nname = "bitcount"[\s\S]*?\n\n/, '');
    const graph = await readUvLock(project(fixture('python-uv'), { 'uv.lock': lock }));
    expect(summary(lockedSet(graph, x86))).toHaveLength(2);
    const error = await configError(() => lockedSet(graph, { ...x86, extras: ['bits'] }));
    expect(error.message).toContain('has no locked package bitcount, which tally 1.0.0 requires');
  });
});
