// What a locked install runs, by value: the requirements files pip downloads from, the argv lists
// in order, the credentials path (variable names only), the cache-key material (the installed set,
// not the lockfile's bytes), and whether arm64 may cross-build.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { redactUrl, resolveIndex } from '../../src/builders/python/indexes.js';
import { PYTHON_PATHS, requirementsInstall } from '../../src/builders/python/install-steps.js';
import { planLockedInstall, type LockedTaskInput } from '../../src/builders/python/locked-install.js';
import { lockedStrategyFacts } from '../../src/builders/python/locked-strategy.js';
import { WHEEL_BUILDER_PROGRAM } from '../../src/builders/python/wheel-builder-program.js';
import { hashValue } from '../../src/cache/hash.js';
import { ARCHITECTURES, runtime } from '../../src/runtimes.js';
import { REPO } from '../helpers/cli.js';

const fixture = (name: string) => path.join(REPO, 'fixtures', name, 'function');
const py311 = runtime('python3.11');
const dirs: string[] = [];
afterEach(() => { for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true }); });

function copy(from: string, files: Record<string, string> = {}): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lambda-pack-install-'));
  dirs.push(dir);
  cpSync(from, dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) writeFileSync(path.join(dir, name), content);
  return dir;
}

const task = (source: string, format: LockedTaskInput['format'], more: Partial<LockedTaskInput> = {}): LockedTaskInput => ({
  source, format, runtime: py311, arch: ARCHITECTURES.x86_64, passEnv: [], env: {}, cross: false, ...more,
});
const QUIET = ['--disable-pip-version-check', '--progress-bar', 'off', '--no-input'];

describe('a locked install, planned', () => {
  it('downloads Pipfile.lock packages hash-checked from the index it names, builds at fixed paths, installs with --no-deps', async () => {
    const plan = await planLockedInstall(task(fixture('python-pipenv'), 'Pipfile.lock', { passEnv: ['LAMBDA_PACK_TEST_INDEX'] }));
    expect(plan.install.files).toEqual([{
      path: '/tmp/lambda-pack-python/requirements/download-1.txt',
      content: '--index-url ${LAMBDA_PACK_TEST_INDEX}\n'
        + 'cfast==0.1.0 --hash=sha256:5c81b01df78901f33574d11d0007382a91b8f16b6444fdd280f680c77c009a9f\n'
        + 'markupsafe==2.1.2 --hash=sha256:abcabc8c2b26036d62d4c746381a6f7cf60aafcc653198ad678306986b09450d\n',
    }]);
    expect(plan.install.steps).toEqual([
      { name: 'download from the index loopback', env: { PIP_NO_INDEX: '0' },
        argv: ['python3.11', '-m', 'pip', 'download', ...QUIET, '--no-deps', '--require-hashes', '--dest', PYTHON_PATHS.dist, '-r', '/tmp/lambda-pack-python/requirements/download-1.txt'] },
      { name: 'build every sdist into a wheel at a fixed path',
        argv: ['python3.11', '-c', WHEEL_BUILDER_PROGRAM, PYTHON_PATHS.dist, PYTHON_PATHS.work, JSON.stringify({ local: [], indexUrl: '${LAMBDA_PACK_TEST_INDEX}', noIndex: false })] },
      { name: 'install the wheels',
        argv: ['python3.11', '-m', 'pip', 'install', ...QUIET, '--no-deps', '--no-index', '--no-compile', '--no-warn-script-location', '--find-links', PYTHON_PATHS.dist, '--target', '/tmp/lambda-pack-out', '-r', PYTHON_PATHS.installs] },
    ]);
    expect(plan.install.env).toEqual({});
    expect(plan.inputs).toEqual([]);
  });

  it("uses pip's own default index for packages locked from PyPI, and builds the project itself", async () => {
    const plan = await planLockedInstall(task(fixture('python-uv'), 'uv.lock'));
    expect(plan.install.files.map((f) => f.content)).toEqual([
      'cfast==0.1.0 --hash=sha256:5c81b01df78901f33574d11d0007382a91b8f16b6444fdd280f680c77c009a9f\nmarkupsafe==2.1.2 --hash=sha256:abcabc8c2b26036d62d4c746381a6f7cf60aafcc653198ad678306986b09450d\n',
    ]);
    expect(plan.install.steps.map((s) => s.name)).toEqual(["download from pip's default index", 'build every sdist and . into wheels at fixed paths', 'install the wheels']);
    expect(JSON.parse(plan.install.steps[1]!.argv.at(-1)!)).toEqual({ local: ['.'], noIndex: false });
    expect(plan.inputs).toEqual(['.']);
  });

  it('cross-builds a wheels-only lock for arm64 with --platform options on download and install', async () => {
    const plan = await planLockedInstall(task(fixture('python-poetry'), 'poetry.lock', { arch: ARCHITECTURES.arm64, cross: true }));
    const download = plan.install.steps[0]!.argv;
    expect(download.slice(download.indexOf('--dest') + 2, download.indexOf('-r'))).toEqual([
      '--platform', 'manylinux_2_26_aarch64', '--platform', 'manylinux_2_25_aarch64', '--platform', 'manylinux_2_24_aarch64', '--platform', 'manylinux_2_23_aarch64',
      '--platform', 'manylinux_2_22_aarch64', '--platform', 'manylinux_2_21_aarch64', '--platform', 'manylinux_2_20_aarch64', '--platform', 'manylinux_2_19_aarch64',
      '--platform', 'manylinux_2_18_aarch64', '--platform', 'manylinux_2_17_aarch64', '--platform', 'manylinux2014_aarch64',
      '--implementation', 'cp', '--python-version', '3.11', '--abi', 'cp311', '--only-binary=:all:',
    ]);
    expect(plan.install.steps.at(-1)!.argv).toContain('--only-binary=:all:');
    expect(plan.install.files[0]!.content).toBe('--index-url http://172.17.0.1:36877/simple\n--trusted-host 172.17.0.1:36877\n'
      + 'bitcount==1.0.0 --hash=sha256:5efb7ed4702446c009a0f9adb8d91ce4be7f1225e55aa6786c39bbbcd1f97030 --hash=sha256:d70c623831f171bc29664aa33f0b47ea0901dfe9186d831cb8fb8888c4814b8d\n'
      + 'tally==1.0.0 --hash=sha256:f4aaba11d4035e1100ccb0dab0ec1d3fa4755974f8bc3f968ad85d788f2607ae\n');
  });

  it('refuses a locked package that has no file for the task', async () => {
    const lock = readFileSync(path.join(fixture('python-uv'), 'uv.lock'), 'utf8')
      .replace(/bitcount-1\.0\.0-cp311-cp311-manylinux2014_(aarch64|x86_64)\.whl/g, 'bitcount-1.0.0-cp311-cp311-win_amd64.whl');
    const error = await planLockedInstall(task(copy(fixture('python-uv'), { 'uv.lock': lock }), 'uv.lock', { extras: ['bits'] })).catch((e: unknown) => e as ConfigError);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).code).toBe('LOCK_NO_FILE_FOR_TARGET');
    expect((error as ConfigError).message).toContain('locks bitcount 1.0.0, which has no wheel for python3.11 on x86_64 (cp311, x86_64, manylinux with glibc ≤ 2.26) and no sdist');
  });
});

describe('credentials', () => {
  const privateIndex = (lock: string) => lock.replaceAll('source = { registry = "https://pypi.org/simple" }', 'source = { registry = "https://pypi.corp.example/simple" }');
  const withIndex = (manifest: string) => `${manifest}\n[[tool.uv.index]]\nname = "corp-pypi"\nurl = "https://pypi.corp.example/simple"\n`;
  const uvPrivate = () => copy(fixture('python-uv'), {
    'uv.lock': privateIndex(readFileSync(path.join(fixture('python-uv'), 'uv.lock'), 'utf8')),
    'pyproject.toml': withIndex(readFileSync(path.join(fixture('python-uv'), 'pyproject.toml'), 'utf8')),
  });

  it("turns uv's UV_INDEX_<NAME>_USERNAME/PASSWORD into a netrc written in the container: names only, never values", async () => {
    const passEnv = ['UV_INDEX_CORP_PYPI_USERNAME', 'UV_INDEX_CORP_PYPI_PASSWORD'];
    const plan = await planLockedInstall(task(uvPrivate(), 'uv.lock', { passEnv, credentialValues: { UV_INDEX_CORP_PYPI_USERNAME: 'ci', UV_INDEX_CORP_PYPI_PASSWORD: 's3cr3t-token' } }));
    const [netrc] = plan.install.steps;
    expect(netrc!.name).toBe('write the netrc for pypi.corp.example');
    expect(netrc!.argv.slice(3)).toEqual([PYTHON_PATHS.netrc, '', 'pypi.corp.example', 'UV_INDEX_CORP_PYPI_USERNAME', 'UV_INDEX_CORP_PYPI_PASSWORD']);
    expect(plan.install.env).toEqual({ NETRC: PYTHON_PATHS.netrc });
    expect(plan.install.files[0]!.content.split('\n')[0]).toBe('--index-url https://pypi.corp.example/simple');
    const everything = JSON.stringify({ install: plan.install, key: plan.key });
    expect(everything).not.toContain('s3cr3t-token');
    expect(Object.keys(plan.key.credentials)).toEqual(passEnv.slice().sort());
  });

  it('refuses half the credentials, literal credentials in a lockfile, and a URL variable the build does not get', async () => {
    const half = await planLockedInstall(task(uvPrivate(), 'uv.lock', { passEnv: ['UV_INDEX_CORP_PYPI_USERNAME'] })).catch((e: unknown) => e as ConfigError);
    expect((half as ConfigError).code).toBe('INDEX_CREDENTIALS_INCOMPLETE');
    expect(() => resolveIndex({ url: 'https://ci:tok@pypi.corp.example/simple' }, 'poetry.lock', [], { passEnv: [], env: [] }, 'poetry.lock')).toThrow(/https:\/\/\*\*\*@pypi\.corp\.example\/simple/);
    const unset = await planLockedInstall(task(fixture('python-pipenv'), 'Pipfile.lock')).catch((e: unknown) => e as ConfigError);
    expect((unset as ConfigError).code).toBe('INDEX_VARIABLE_UNSET');
    expect(redactUrl('https://${U}:${P}@h/simple')).toBe('https://${U}:${P}@h/simple');
    expect(redactUrl('https://u:p@h/simple')).toBe('https://***@h/simple');
  });
});

describe('cache-key material follows the locked set', () => {
  const key = async (files: Record<string, string>, more: Partial<LockedTaskInput> = {}) =>
    hashValue((await planLockedInstall(task(copy(fixture('python-uv'), files), 'uv.lock', more))).key);
  const lock = readFileSync(path.join(fixture('python-uv'), 'uv.lock'), 'utf8');
  const manifest = readFileSync(path.join(fixture('python-uv'), 'pyproject.toml'), 'utf8');

  it('keys the same when only a Windows-only package, the dev group or unused files of the lock change', async () => {
    const base = await key({});
    const otherWindows = lock.replace('28cdc1bb45156347586e8bc05149c78e9a6fe3a6939812ff366e6b0072b6ff45', '0'.repeat(64));
    const otherDev = lock.replace('d9f5ba91b3866f3845930531e0870436e2dd6e919787f627c0f1c16b97219a5f', '0'.repeat(64));
    const otherExtra = lock.replace('f4aaba11d4035e1100ccb0dab0ec1d3fa4755974f8bc3f968ad85d788f2607ae', '0'.repeat(64));
    expect(await key({ 'uv.lock': otherWindows })).toBe(base);
    expect(await key({ 'uv.lock': otherDev })).toBe(base);
    expect(await key({ 'uv.lock': otherExtra })).toBe(base);
    expect(await key({ 'uv.lock': `${lock}\n` })).toBe(base);
    expect(await key({}, { arch: ARCHITECTURES.arm64 })).toBe(base); // the same sdists for both: what differs is the image and arch, keyed by the builder
    expect(await key({ 'pyproject.toml': manifest.replace('# A function locked with uv.', '# A function locked with uv (comment edited).') })).toBe(base);
  });

  it('keys differently when an installed package, its files or the chosen extras change', async () => {
    const base = await key({});
    expect(await key({ 'uv.lock': lock.replace('5c81b01df78901f33574d11d0007382a91b8f16b6444fdd280f680c77c009a9f', '0'.repeat(64)) })).not.toBe(base);
    expect(await key({}, { extras: ['bits'] })).not.toBe(base);
  });
});

describe('cross or emulated', () => {
  it('cross-builds a wheels-only lock, compiles sdists on the target, and cannot judge Pipfile.lock', async () => {
    const arm = ARCHITECTURES.arm64;
    const poetry = await planLockedInstall(task(fixture('python-poetry'), 'poetry.lock', { arch: arm }));
    expect(lockedStrategyFacts('poetry.lock', poetry.distributions, py311, arm).cross).toBe('every locked package has a cp311 wheel for aarch64 (manylinux, glibc ≤ 2.26): pip installs them for arm64 (--platform, --only-binary=:all:)');
    const uv = await planLockedInstall(task(fixture('python-uv'), 'uv.lock', { arch: arm }));
    expect(lockedStrategyFacts('uv.lock', uv.distributions, py311, arm).mustCompile).toEqual(['cfast', 'markupsafe']);
    const pipenv = await planLockedInstall(task(fixture('python-pipenv'), 'Pipfile.lock', { arch: arm, passEnv: ['LAMBDA_PACK_TEST_INDEX'] }));
    expect(lockedStrategyFacts('Pipfile.lock', pipenv.distributions, py311, arm)).toEqual({ mustCompile: [], noCross: "Pipfile.lock records cfast's hashes but not its file names, so lambda-pack cannot tell whether it has a wheel for arm64; and 1 more" });
  });
});

describe('a requirements.txt install, planned', () => {
  it('downloads everything the requirements resolve to, builds sdists and local projects at fixed paths, installs wheels', () => {
    const install = requirementsInstall({ python: 'python3.12', requirementsFile: 'requirements.txt', localProjects: ['packages/fastmath'], buildSources: { findLinks: ['/build/wheels'], noIndex: true } });
    expect(install.steps.map((s) => s.argv.filter((a) => a !== WHEEL_BUILDER_PROGRAM))).toEqual([
      ['python3.12', '-m', 'pip', 'download', ...QUIET, '--dest', PYTHON_PATHS.dist, '-r', 'requirements.txt'],
      ['python3.12', '-c', PYTHON_PATHS.dist, PYTHON_PATHS.work, '{"local":["packages/fastmath"],"findLinks":["/build/wheels"],"noIndex":true}'],
      ['python3.12', '-m', 'pip', 'install', ...QUIET, '--no-deps', '--no-index', '--no-compile', '--no-warn-script-location', '--find-links', PYTHON_PATHS.dist, '--target', '/tmp/lambda-pack-out', '-r', PYTHON_PATHS.installs],
    ]);
  });
});
