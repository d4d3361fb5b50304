// pip cross builds: the wheel tags a Lambda Python runtime accepts, the requirements read on the
// host, and the decision whether a host-architecture install gives what a target one gives.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { pipBuilder } from '../../src/builders/pip.js';
import { walkSource } from '../../src/package/sources.js';
import { HOST } from '../helpers/host.js';
import { readRequirements, requirementPaths } from '../../src/builders/pip-requirements.js';
import { crossInstallOptions, manylinuxPlatforms, parseWheelName, wheelFit } from '../../src/builders/pip-tags.js';
import { writeZip } from '../../src/zip/write.js';
import type { PlacedTask } from '../../src/plan/types.js';
import { ARCHITECTURES, runtime } from '../../src/runtimes.js';

const { arm64, x86_64 } = ARCHITECTURES;
const py311 = runtime('python3.11');
const py312 = runtime('python3.12');
const dirs: string[] = [];

afterEach(() => { for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true }); });

/** A function source with the given files; `.whl` entries given as METADATA text become wheels. */
async function source(files: Record<string, string>): Promise<string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lambda-pack-pip-'));
  dirs.push(dir);
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(dir, name);
    mkdirSync(path.dirname(file), { recursive: true });
    if (!name.endsWith('.whl')) { writeFileSync(file, content); continue; }
    const wheel = parseWheelName(path.basename(name))!;
    const info = `${wheel.project}-${wheel.version}.dist-info`;
    await writeZip([
      { path: info, kind: 'directory' },
      { path: `${info}/METADATA`, kind: 'file', content: Buffer.from(`Metadata-Version: 2.1\nName: ${wheel.project}\nVersion: ${wheel.version}\n${content}\n\nA description.\nRequires-Dist: not-a-header\n`) },
    ], file, { concurrency: 1 });
  }
  return dir;
}

function task(dir: string, options: { arch?: typeof arm64; env?: Record<string, string>; passEnv?: string[]; rt?: typeof py311 } = {}): PlacedTask {
  return {
    id: 'fn-arm64', arch: options.arch ?? arm64, engine: { arch: x86_64 }, image: null, engineImage: null, requestedStrategy: 'auto', runtimeImage: null, output: '/out/fn.zip',
    artifact: { name: 'fn', kind: 'function', source: dir, runtime: options.rt ?? py311, env: options.env ?? {}, passEnv: options.passEnv ?? [], builder: 'pip', exclude: [] } as unknown as PlacedTask['artifact'],
  };
}

/** The pip builder's strategy facts for a task, from its analysis of the source. */
async function pipStrategyFacts(t: PlacedTask) {
  const analysis = await pipBuilder.analyze(t.artifact, await walkSource(t.artifact.source, { artifact: 'fn' }), HOST);
  return pipBuilder.strategyFacts!(analysis, t);
}

const WHEELHOUSE = {
  'wheels/tally-1.0.0-py3-none-any.whl': 'Requires-Dist: bitcount (==1.0.0)\nRequires-Dist: colour ; extra == "pretty"',
  'wheels/bitcount-1.0.0-cp311-cp311-manylinux2014_aarch64.whl': '',
  'wheels/bitcount-1.0.0-cp311-cp311-manylinux2014_x86_64.whl': '',
};

describe('manylinux platforms of a runtime', () => {
  it('lists every tag the runtime glibc accepts, newest first, legacy aliases beside their glibc', () => {
    const aarch64 = manylinuxPlatforms(arm64, py311.glibc);
    expect(aarch64[0]).toBe('manylinux_2_26_aarch64');
    expect(aarch64.slice(-2)).toEqual(['manylinux_2_17_aarch64', 'manylinux2014_aarch64']);
    expect(aarch64).toHaveLength(11);
    const intel = manylinuxPlatforms(x86_64, py311.glibc);
    expect(intel.slice(-3)).toEqual(['manylinux_2_6_x86_64', 'manylinux_2_5_x86_64', 'manylinux1_x86_64']);
    expect(intel).toContain('manylinux2010_x86_64');
    expect(manylinuxPlatforms(arm64, py312.glibc)[0]).toBe('manylinux_2_34_aarch64');
  });

  it('gives pip the runtime Python, ABI and platforms, and no builds', () => {
    const options = crossInstallOptions(py311, arm64);
    expect(options.join(' ')).toContain('--platform manylinux_2_26_aarch64 --platform manylinux_2_25_aarch64');
    expect(options.slice(-7)).toEqual(['--implementation', 'cp', '--python-version', '3.11', '--abi', 'cp311', '--only-binary=:all:']);
  });
});

describe('wheel fit', () => {
  const fitOf = (file: string, rt = py311) => wheelFit(parseWheelName(file)!, rt, arm64);

  it('accepts wheels the runtime loads', () => {
    expect(fitOf('bitcount-1.0.0-cp311-cp311-manylinux2014_aarch64.whl')).toBe('fits');
    expect(fitOf('x-1-cp38-abi3-manylinux_2_17_aarch64.manylinux2014_aarch64.whl')).toBe('fits');
    expect(fitOf('Tally_Lib-1.0.0-py3-none-any.whl')).toBe('fits');
    expect(fitOf('x-2.0-1build-py2.py3-none-any.whl')).toBe('fits');
    expect(fitOf('x-1-cp312-cp312-manylinux_2_28_aarch64.whl', py312)).toBe('fits');
  });

  it('flags wheels for this CPU that need a newer glibc, or are not manylinux', () => {
    expect(fitOf('x-1-cp311-cp311-manylinux_2_28_aarch64.whl')).toBe('too-new');
    expect(fitOf('x-1-cp311-cp311-linux_aarch64.whl')).toBe('too-new');
  });

  it('ignores other CPUs and Pythons', () => {
    expect(fitOf('x-1-cp311-cp311-manylinux2014_x86_64.whl')).toBe('other');
    expect(fitOf('x-1-cp312-cp312-manylinux2014_aarch64.whl')).toBe('other');
    expect(fitOf('x-1-cp311-cp311-musllinux_1_1_aarch64.whl')).toBe('other');
  });

  it('reads names as PEP 503 and refuses what is not a wheel name', () => {
    expect(parseWheelName('Tally_Lib-1.0.0-py3-none-any.whl')?.project).toBe('tally-lib');
    expect(parseWheelName('tally-1.0.0.tar.gz')).toBeUndefined();
  });
});

describe('requirements read on the host', () => {
  it('follows includes and keeps what decides where packages come from', async () => {
    const dir = await source({
      'requirements.txt': '# deps\n--no-index\n-f wheels\n-r more/base.txt\n-c pins.txt\nTally[pretty] == 1.0.0 --hash=sha256:ab\n./packages/textfmt\nrich>=13 ; platform_machine == "aarch64"\ngit+https://example.org/x.git\nsix @ https://example.org/six.whl\n',
      'more/base.txt': '--find-links=../extra\n--no-binary numpy\nnumpy\n',
      'pins.txt': 'bitcount==1.0.0\n',
    });
    const found = await readRequirements(dir);
    expect(found.files).toEqual(['requirements.txt', 'more/base.txt', 'pins.txt']);
    expect(found.findLinks).toEqual(['wheels', 'extra']);
    expect(found.noIndex).toBe(true);
    expect(found.noBinary).toEqual(['numpy']);
    expect(found.named.map((n) => [n.project, n.pin, n.extras, n.marker])).toEqual([
      ['numpy', undefined, [], undefined],
      ['tally', '1.0.0', ['pretty'], undefined],
      ['rich', undefined, [], 'platform_machine == "aarch64"'],
    ]);
    expect(found.local).toEqual(['packages/textfmt']);
    expect(found.urls).toEqual(['git+https://example.org/x.git', 'six @ https://example.org/six.whl']);
    expect(requirementPaths(await readRequirements(dir))).toEqual(['requirements.txt', 'more/base.txt', 'pins.txt', 'packages/textfmt', 'wheels', 'extra']);
  });
});

describe('whether a pip install may run in a host container', () => {
  it('cross-builds when every requirement, followed through METADATA, is a target wheel of the wheelhouse', async () => {
    const dir = await source({ ...WHEELHOUSE, 'requirements.txt': '--no-index\n--find-links wheels\ntally==1.0.0\n' });
    const facts = await pipStrategyFacts(task(dir));
    expect(facts).toEqual({ mustCompile: [], cross: expect.stringContaining('every requirement is a cp311 wheel for aarch64 (manylinux, glibc ≤ 2.26) in wheels/') });
  });

  it('names the requirement that has no target wheel, even one pulled in by METADATA', async () => {
    const intelOnly = Object.fromEntries(Object.entries(WHEELHOUSE).filter(([file]) => !file.includes('aarch64')));
    const dir = await source({ ...intelOnly, 'requirements.txt': '--no-index\n--find-links wheels\ntally==1.0.0\n' });
    expect((await pipStrategyFacts(task(dir))).noCross).toBe('bitcount 1.0.0 (required by tally 1.0.0) has no wheel for python3.11 on arm64');
    // The x86_64 wheel is there: built for x86_64 from an arm64 host, the same source cross-builds.
    expect((await pipStrategyFacts({ ...task(dir, { arch: x86_64 }), engine: { arch: arm64 } })).cross).toContain('wheel for x86_64');
  });

  it('must compile what exists only as an sdist, a local C extension or --no-binary', async () => {
    const dir = await source({
      ...WHEELHOUSE, 'wheels/slugify-2.0.tar.gz': '',
      'requirements.txt': '--no-index\n-f wheels\ntally==1.0.0\nslugify\n./native\n./pure\n--no-binary tally\n',
      'native/setup.py': 'from setuptools import Extension, setup\nsetup(ext_modules=[Extension("n", ["n.c"])])\n',
      'pure/pyproject.toml': '[project]\nname = "pure-text"\nversion = "1"\ndependencies = ["bitcount==1.0.0"]\n',
    });
    expect(await pipStrategyFacts(task(dir))).toMatchObject({ mustCompile: ['native', 'slugify', 'tally'] });
  });

  it('does not judge what it cannot see: an index, markers on the machine, glibc-newer wheels', async () => {
    const noCross = async (files: Record<string, string>, options = {}) => (await pipStrategyFacts(task(await source({ ...WHEELHOUSE, ...files }), options))).noCross;
    expect(await noCross({ 'requirements.txt': '-f wheels\ntally==1.0.0\n' })).toContain('its requirements may come from a package index');
    expect(await noCross({ 'requirements.txt': '-f wheels\ntally==1.0.0\n' }, { env: { PIP_NO_INDEX: '1' } })).toBeUndefined();
    expect(await noCross({ 'requirements.txt': '--no-index\n-f wheels\ntally==1.0.0\n', 'pip.conf': '[global]\nindex-url = https://example.org/simple\n' })).toBe('pip.conf sets index-url');
    expect(await noCross({ 'requirements.txt': '--no-index\n-f wheels\ntally==1.0.0\n' }, { passEnv: ['PIP_EXTRA_INDEX_URL'] })).toBe('passEnv names PIP_EXTRA_INDEX_URL');
    expect(await noCross({ 'requirements.txt': '--no-index\n-f wheels\ntally==1.0.0; platform_machine != "s390x"\n' })).toContain('platform_machine marker');
    expect(await noCross({ 'requirements.txt': '--no-index\n-f wheels\ntally==1.0.0\n', 'wheels/bitcount-1.0.0-cp311-cp311-manylinux_2_28_aarch64.whl': '' }))
      .toBe('wheels/bitcount-1.0.0-cp311-cp311-manylinux_2_28_aarch64.whl needs a newer glibc than python3.11 has, and an install on arm64 could choose it');
    expect(await noCross({ 'requirements.txt': '--no-index\n-f wheels\ntally==1.0.0\nrequests\n' })).toBe('requests is not in wheels/');
  });

  it('cross-builds a local pure-Python project without dependencies, wherever pip looks', async () => {
    const files = { 'requirements.txt': './slugkit\n', 'slugkit/pyproject.toml': '[project]\nname = "slugkit"\nversion = "1"\n', 'slugkit/slugkit/__init__.py': '' };
    expect(await pipStrategyFacts(task(await source(files)))).toEqual({ mustCompile: [], cross: 'slugkit is pure Python: x86_64 pip installs it for arm64 (--platform, --only-binary=:all:)' });
    const withDependency = { ...files, 'slugkit/pyproject.toml': '[project]\nname = "slugkit"\nversion = "1"\ndependencies = ["text-unidecode"]\n' };
    expect((await pipStrategyFacts(task(await source(withDependency)))).noCross).toContain('its requirements may come from a package index');
    const withSetup = { ...files, 'slugkit/setup.py': 'from setuptools import setup\nsetup(install_requires=["x"])\n' };
    expect((await pipStrategyFacts(task(await source(withSetup)))).noCross).toBe('slugkit has a setup.py that may declare dependencies lambda-pack cannot read');
  });

  it('follows extras only when they are asked for', async () => {
    const dir = await source({ ...WHEELHOUSE, 'requirements.txt': '--no-index\n-f wheels\ntally[pretty]==1.0.0\n' });
    expect((await pipStrategyFacts(task(dir))).noCross).toBe('colour ; extra == "pretty" (required by tally 1.0.0) is not in wheels/');
  });
});
