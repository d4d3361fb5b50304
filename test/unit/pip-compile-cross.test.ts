// pip cross-compiling for the other architecture: the environment setuptools builds with, how a
// project or an sdist archive is judged on the host, when the builder says it can cross-compile
// (and the strategy then is cross with the proof), and the install it plans for that.
import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { pythonCrossEnv } from '../../src/builders/cross.js';
import { pipBuilder } from '../../src/builders/pip.js';
import { describeProject } from '../../src/builders/pip-local.js';
import { crossInstallOptions } from '../../src/builders/pip-tags.js';
import { lockedInstall, PYTHON_PATHS, requirementsInstall } from '../../src/builders/python/install-steps.js';
import { readSdistProject } from '../../src/builders/python/sdist-project.js';
import { WHEEL_BUILDER_PROGRAM } from '../../src/builders/python/wheel-builder-program.js';
import { renderStep } from '../../src/executor/script.js';
import { walkSource } from '../../src/package/sources.js';
import { chooseStrategy } from '../../src/plan/strategy.js';
import type { ImageChoice, PlacedTask, Strategy } from '../../src/plan/types.js';
import { ARCHITECTURES, runtime } from '../../src/runtimes.js';
import { writeZip } from '../../src/zip/write.js';
import { REPO } from '../helpers/cli.js';
import { HOST } from '../helpers/host.js';
import { tempProject, type TempProject } from '../helpers/project.js';

const { x86_64: X86, arm64: ARM } = ARCHITECTURES;
const py311 = runtime('python3.11');
const LOCAL_PYTHON: ImageChoice = { kind: 'recipe', recipe: 'python3.11', origin: 'local' };
const CONFIGURED: ImageChoice = { kind: 'reference', ref: 'my/python:3.11', origin: 'config' };
const CFAST = path.join(REPO, 'fixtures/python-sdist/function/vendor/cfast-0.1.0.tar.gz');
const CROSS: Strategy = { kind: 'cross', reason: 'test', buildArch: X86, proof: true };
const EMULATED: Strategy = { kind: 'emulated', reason: 'test', buildArch: ARM };
const SETUP_EXTENSION = 'from setuptools import Extension, setup\nsetup(ext_modules=[Extension("n", ["n.c"])])\n';
const NATIVE = { 'native/pyproject.toml': '[project]\nname = "native"\nversion = "1"\n', 'native/setup.py': SETUP_EXTENSION, 'native/n.c': '' };

const projects: TempProject[] = [];
afterEach(() => { for (const p of projects.splice(0)) p.remove(); });

function project(files: Record<string, string>, archives: Record<string, string> = {}): string {
  const p = tempProject(files);
  projects.push(p);
  for (const [to, from] of Object.entries(archives)) {
    mkdirSync(path.dirname(path.join(p.root, to)), { recursive: true });
    copyFileSync(from, path.join(p.root, to));
  }
  return p.root;
}

function task(source: string, options: { engineImage?: ImageChoice | null; env?: Record<string, string>; arch?: typeof ARM } = {}): PlacedTask {
  const arch = options.arch ?? ARM;
  const engineImage = options.engineImage === undefined ? LOCAL_PYTHON : options.engineImage;
  return {
    id: `fn-${arch.name}`, arch, engine: { arch: arch === ARM ? X86 : ARM }, image: LOCAL_PYTHON, engineImage, requestedStrategy: 'auto', runtimeImage: { kind: 'recipe', recipe: 'runtime-python3.11', origin: 'local' }, output: '/out/fn.zip',
    artifact: { name: 'fn', kind: 'function', builder: 'pip', source, runtime: py311, env: options.env ?? {}, passEnv: [], exclude: [], extras: [], dependencyGroups: [] } as unknown as PlacedTask['artifact'],
  };
}

async function analysis(t: PlacedTask) {
  return pipBuilder.analyze(t.artifact, await walkSource(t.artifact.source, { artifact: 'fn' }), HOST);
}

async function factsOf(t: PlacedTask) {
  return pipBuilder.strategyFacts!(await analysis(t), t);
}

describe('the cross-compile environment of setuptools', () => {
  it('names the target compilers, linker commands, platform and sysconfig data, for either direction', () => {
    expect(pythonCrossEnv(ARM)).toEqual({
      CC: 'aarch64-linux-gnu-gcc', CXX: 'aarch64-linux-gnu-g++',
      LDSHARED: 'aarch64-linux-gnu-gcc -shared -Wl,-O1 -Wl,-Bsymbolic-functions',
      LDCXXSHARED: 'aarch64-linux-gnu-g++ -shared -Wl,-O1 -Wl,-Bsymbolic-functions',
      AR: 'aarch64-linux-gnu-gcc-ar',
      _PYTHON_HOST_PLATFORM: 'linux-aarch64',
      _PYTHON_SYSCONFIGDATA_NAME: '_sysconfigdata__aarch64-linux-gnu',
    });
    expect(pythonCrossEnv(X86)).toMatchObject({ CC: 'x86_64-linux-gnu-gcc', _PYTHON_HOST_PLATFORM: 'linux-x86_64', _PYTHON_SYSCONFIGDATA_NAME: '_sysconfigdata__x86_64-linux-gnu' });
  });

  it('lets a cross install take the linux_<arch> wheels it built, ranked after every manylinux tag', () => {
    const options = crossInstallOptions(py311, ARM, { locallyBuilt: true });
    const platforms = options.flatMap((o, i) => (options[i - 1] === '--platform' ? [o] : []));
    expect(platforms.at(-1)).toBe('linux_aarch64');
    expect(platforms.slice(0, -1)).toEqual(crossInstallOptions(py311, ARM).flatMap((o, i, all) => (all[i - 1] === '--platform' ? [o] : [])));
    expect(crossInstallOptions(py311, ARM)).not.toContain('linux_aarch64');
  });
});

describe('whether setuptools can cross-compile a project', () => {
  const judge = (files: { pyproject?: string; setup?: string; paths: string[] }) => describeProject({ where: '/p', fallbackName: 'p', ...files });

  it('can for C, C++ and Cython sources built by setuptools, declared or by default', () => {
    expect(judge({ setup: SETUP_EXTENSION, paths: ['setup.py', 'n.c'] })).toEqual({ name: 'p', compiles: 'has n.c' });
    expect(judge({ pyproject: '[build-system]\nbuild-backend = "setuptools.build_meta"\n[project]\nname = "Fast_Thing"\n', paths: ['src/a.cpp', 'src/b.pyx'] }))
      .toEqual({ name: 'fast-thing', compiles: 'has src/a.cpp', dependencies: [] });
  });

  it('cannot for another build backend, another language, or setuptools-rust', () => {
    expect(judge({ pyproject: '[build-system]\nbuild-backend = "maturin"\n', paths: ['Cargo.toml', 'src/lib.rs'] }).noCrossCompile).toBe('its build backend is maturin, not setuptools');
    expect(judge({ setup: SETUP_EXTENSION, paths: ['n.c', 'lapack.f90'] }).noCrossCompile).toBe('it has lapack.f90, which the C/C++ cross compiler does not build');
    expect(judge({ setup: 'from setuptools import setup\nsetup(rust_extensions=[])\n', paths: ['setup.py'] }).noCrossCompile).toBe('its setup.py builds Rust extensions');
    // Nothing to compile, nothing to refuse.
    expect(judge({ pyproject: '[build-system]\nbuild-backend = "hatchling.build"\n[project]\nname = "pure"\n', paths: ['pure/__init__.py'] })).toEqual({ name: 'pure', dependencies: [] });
  });

  it('reads an sdist archive on the host: .tar.gz and .zip; other compressions are not judged', async () => {
    expect(await readSdistProject(CFAST)).toEqual({ name: 'cfast', compiles: 'has cfast.c', dependencies: [] });
    const dir = project({ 'other-1.0.tar.bz2': 'not read' });
    const zip = path.join(dir, 'zipped-1.0.zip');
    await writeZip([
      { path: 'zipped-1.0', kind: 'directory' },
      { path: 'zipped-1.0/setup.py', kind: 'file', content: Buffer.from(SETUP_EXTENSION) },
      { path: 'zipped-1.0/lib.rs', kind: 'file', content: Buffer.from('') },
    ], zip, { concurrency: 1 });
    expect(await readSdistProject(zip)).toEqual({ name: 'zipped', compiles: 'has lib.rs', noCrossCompile: 'it has lib.rs, which the C/C++ cross compiler does not build' });
    expect(await readSdistProject(path.join(dir, 'other-1.0.tar.bz2'))).toBeUndefined();
    expect(await readSdistProject(path.join(dir, 'missing-1.0.tar.gz'))).toBeUndefined();
  });
});

describe('the pip builder, where something must compile', () => {
  const REASON = 'compile for arm64 on x86_64 (setuptools builds with aarch64-linux-gnu-gcc, _PYTHON_HOST_PLATFORM=linux-aarch64); accepted once verify and the load check pass on arm64, else rebuilt emulated';

  it('cross-compiles a vendored sdist, a local C extension and a wheelhouse sdist in the local image, and the proof decides', async () => {
    const t = task(project({ 'requirements.txt': '--no-index\n-f wheels\n./vendor/cfast-0.1.0.tar.gz\n./native\ncfast2\n', ...NATIVE }, { 'vendor/cfast-0.1.0.tar.gz': CFAST, 'wheels/cfast2-0.1.0.tar.gz': CFAST }));
    const facts = await factsOf(t);
    expect(facts).toMatchObject({ mustCompile: ['cfast', 'cfast2', 'native'], compileCross: 'setuptools builds with aarch64-linux-gnu-gcc, _PYTHON_HOST_PLATFORM=linux-aarch64' });
    expect(chooseStrategy(t, facts)).toMatchObject({ kind: 'cross', proof: true, reason: `cfast, cfast2, native ${REASON}` });
  });

  it('emulates, as before, what it cannot cross-compile or cannot judge', async () => {
    const compileCross = async (files: Record<string, string>, options: Parameters<typeof task>[1] = {}, archives: Record<string, string> = {}) => {
      const t = task(project(files, archives), options);
      const facts = await factsOf(t);
      expect(facts.mustCompile.length).toBeGreaterThan(0);
      expect(chooseStrategy(t, facts).kind).toBe(facts.compileCross ? 'cross' : 'emulated');
      return facts.compileCross;
    };
    const native = { 'requirements.txt': './native\n', ...NATIVE };
    expect(await compileCross(native)).toBeDefined();
    // No cross toolchain known in the engine's image.
    expect(await compileCross(native, { engineImage: CONFIGURED })).toBeUndefined();
    expect(await compileCross(native, { engineImage: null })).toBeUndefined();
    // Not a C/C++ setuptools build.
    expect(await compileCross({ 'requirements.txt': './native\n', ...NATIVE, 'native/src/lib.rs': '' })).toBeUndefined();
    // --no-binary: pip would build from source, which a --platform download refuses.
    expect(await compileCross({ 'requirements.txt': '--no-index\n-f wheels\n--no-binary cfast\ncfast\n' }, {}, { 'wheels/cfast-0.1.0.tar.gz': CFAST })).toBeUndefined();
    // Anything else keeping the install from being judged: here a package index.
    expect(await compileCross({ 'requirements.txt': './vendor/cfast-0.1.0.tar.gz\nrequests\n' }, {}, { 'vendor/cfast-0.1.0.tar.gz': CFAST })).toBeUndefined();
    // A compiled project's dependencies are judged like any requirement.
    expect(await compileCross({ 'requirements.txt': './native\n', ...NATIVE, 'native/pyproject.toml': '[project]\nname = "native"\nversion = "1"\ndependencies = ["six"]\n' })).toBeUndefined();
  });

  it('cross-compiles a pyproject.toml function only when it requires nothing', async () => {
    const own = { 'pyproject.toml': '[project]\nname = "own"\nversion = "1"\n', 'setup.py': SETUP_EXTENSION, 'n.c': '' };
    expect((await factsOf(task(project(own)))).compileCross).toBeDefined();
    expect((await factsOf(task(project({ ...own, 'pyproject.toml': '[project]\nname = "own"\nversion = "1"\ndependencies = ["six"]\n' })))).compileCross).toBeUndefined();
  });

  it('cross-compiles the sdists of a uv.lock, but cannot judge a Pipfile.lock that names no files', async () => {
    const uv = task(path.join(REPO, 'fixtures/python-uv/function'));
    expect(await factsOf(uv)).toMatchObject({ mustCompile: ['cfast', 'markupsafe'], compileCross: expect.stringContaining('aarch64-linux-gnu-gcc') });
    expect((await factsOf(task(path.join(REPO, 'fixtures/python-uv/function'), { engineImage: CONFIGURED }))).compileCross).toBeUndefined();
    expect((await factsOf(task(path.join(REPO, 'fixtures/python-pipenv/function')))).compileCross).toBeUndefined();
  });

  it('plans the cross compile: toolchain check, wheelhouse sdists first, the build hooks in the target environment', async () => {
    const t = task(project({ 'requirements.txt': '--no-index\n-f wheels\n./native\ncfast\n', ...NATIVE }, { 'wheels/cfast-0.1.0.tar.gz': CFAST }), { env: { CC: 'aarch64-linux-gnu-gcc-12' } });
    const install = pipBuilder.install(await analysis(t), t, CROSS, HOST);
    const rendered = install.steps.map(renderStep);
    expect(rendered[1]).toContain("command -v aarch64-linux-gnu-gcc >/dev/null && command -v aarch64-linux-gnu-g++ >/dev/null && python3.11 -c 'import importlib.util; raise SystemExit(importlib.util.find_spec(\"_sysconfigdata__aarch64-linux-gnu\") is None)'");
    const runs = install.steps.flatMap((s) => ('run' in s ? [s.run.filter((a) => a !== WHEEL_BUILDER_PROGRAM)] : []));
    // The config's CC is kept; the rest of the cross environment reaches the build hooks only.
    const crossEnv = { ...pythonCrossEnv(ARM), CC: 'aarch64-linux-gnu-gcc-12' };
    expect(runs[0]).toEqual(['python3.11', '-c', PYTHON_PATHS.prebuilt, PYTHON_PATHS.work, JSON.stringify({ local: [], sdists: ['/build/wheels/cfast-0.1.0.tar.gz'], findLinks: ['/build/wheels'], noIndex: true, crossEnv, emulated: PYTHON_PATHS.emulated })]);
    expect(runs[1]).toEqual(expect.arrayContaining(['download', '--platform', 'linux_aarch64', '--only-binary=:all:', '--find-links', PYTHON_PATHS.prebuilt, '-r', 'requirements.txt']));
    expect(runs[2]).toEqual(['python3.11', '-c', PYTHON_PATHS.dist, PYTHON_PATHS.work, JSON.stringify({ local: ['native'], findLinks: ['/build/wheels'], noIndex: true, crossEnv, emulated: PYTHON_PATHS.emulated })]);
    expect(runs[3]).toEqual(expect.arrayContaining(['install', '--platform', 'linux_aarch64', '--only-binary=:all:']));
    expect(install.env).not.toHaveProperty('_PYTHON_HOST_PLATFORM');
    // Emulated, the same source builds as it always did.
    const emulated = pipBuilder.install(await analysis(t), t, EMULATED, HOST);
    expect(emulated.steps.map(renderStep).join('\n')).not.toMatch(/aarch64-linux-gnu|--platform|prebuilt|lambda-pack-python\/emulated/);
  });

  it('names each requirement it compiles as a part a hybrid can build alone on the target, at the paths a whole build gives it', async () => {
    const t = task(project({ 'requirements.txt': '--no-index\n-f wheels\n./native\ncfast\n', ...NATIVE }, { 'wheels/cfast-0.1.0.tar.gz': CFAST }));
    const hybrid = pipBuilder.hybrid!(await analysis(t), t)!;
    const built = (part: object) => ['python3.11', '-c', WHEEL_BUILDER_PROGRAM, PYTHON_PATHS.emulated, PYTHON_PATHS.work, JSON.stringify({ ...part, findLinks: ['/build/wheels'], noIndex: true, record: true })];
    expect(hybrid).toEqual({
      output: PYTHON_PATHS.emulated, owners: 'dist-info',
      steps: [{ require: 'command -v python3.11 >/dev/null', message: 'lambda-pack: python3.11 is not in this image; use an image made for python3.11' }],
      parts: [
        { name: 'cfast', distribution: 'cfast', failure: 'lambda-pack: could not build cfast-0.1.0.tar.gz into a wheel', steps: [{ run: built({ local: [], sdists: ['/build/wheels/cfast-0.1.0.tar.gz'] }), onFailure: 'lambda-pack: pip failed to build /build/wheels/cfast-0.1.0.tar.gz alone into a wheel at fixed paths' }] },
        { name: 'native', distribution: 'native', failure: 'lambda-pack: could not build native into a wheel', steps: [{ run: built({ local: ['native'] }), onFailure: 'lambda-pack: pip failed to build native alone into a wheel at fixed paths' }] },
      ],
    });
    // A lockfile's sdists come from its indexes: its cross compile falls back whole.
    const uv = task(path.join(REPO, 'fixtures/python-uv/function'));
    expect(pipBuilder.hybrid!(await analysis(uv), uv)).toBeUndefined();
  });

  it('plans a locked cross compile: --no-deps downloads take sdists, the wheels install with the target tags', () => {
    const compile = { env: pythonCrossEnv(ARM), prebuild: [] };
    const cross = crossInstallOptions(py311, ARM, { locallyBuilt: true });
    const requirements = { groups: [{ label: 'PyPI', file: '/tmp/r.txt', content: 'cfast==0.1.0\n', hashed: true, usesIndex: true }], localProjects: ['.'], credentials: [] };
    const install = lockedInstall({ python: 'python3.11', requirements, buildSources: {}, cross, compile });
    const [download, build, pipInstall] = install.steps.map((s) => s.argv.filter((a) => a !== WHEEL_BUILDER_PROGRAM));
    expect(download).toEqual(expect.arrayContaining(['--no-deps', '--require-hashes', '--platform', 'manylinux2014_aarch64']));
    expect(download).not.toContain('--only-binary=:all:');
    expect(build).toEqual(['python3.11', '-c', PYTHON_PATHS.dist, PYTHON_PATHS.work, JSON.stringify({ local: ['.'], crossEnv: compile.env })]);
    expect(pipInstall).toEqual(expect.arrayContaining(['--platform', 'linux_aarch64', '--only-binary=:all:']));
    expect(requirementsInstall({ python: 'python3.11', requirementsFile: 'requirements.txt', localProjects: [], buildSources: {}, cross, compile }).steps).toHaveLength(3);
  });
});
