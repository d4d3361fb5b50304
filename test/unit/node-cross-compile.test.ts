// Cross-compiling node-gyp addons: node-gyp's environment for a target, and what the npm builder
// decides and installs for a lockfile whose packages compile, with and without the cross
// toolchain in the engine-architecture image.
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { NODE_GYP_PARALLEL, nodeGypCrossEnv } from '../../src/builders/cross.js';
import { npmBuilder } from '../../src/builders/npm.js';
import { renderStep } from '../../src/executor/script.js';
import { walkSource } from '../../src/package/sources.js';
import { chooseStrategy } from '../../src/plan/strategy.js';
import type { ImageChoice, PlacedTask, Strategy } from '../../src/plan/types.js';
import { ARCHITECTURES, runtime } from '../../src/runtimes.js';
import { HOST } from '../helpers/host.js';
import { tempProject, type TempProject } from '../helpers/project.js';

const { x86_64: X86, arm64: ARM } = ARCHITECTURES;
const LOCAL_NODE: ImageChoice = { kind: 'recipe', recipe: 'nodejs22.x', origin: 'local' };
const OFFICIAL_NODE: ImageChoice = { kind: 'reference', ref: 'public.ecr.aws/sam/build-nodejs22.x:latest-x86_64', origin: 'official' };
const CROSS: Strategy = { kind: 'cross', reason: 'test', buildArch: X86, proof: true };
const EMULATED: Strategy = { kind: 'emulated', reason: 'test', buildArch: ARM };
const NATIVE: Strategy = { kind: 'native', reason: 'test', buildArch: X86 };

const projects: TempProject[] = [];
afterEach(() => { for (const p of projects.splice(0)) p.remove(); });

/** A function whose lockfile pins the packages given, `true` for those with an install script. */
function project(packages: Record<string, boolean>, lockfile: 'package-lock.json' | 'pnpm-lock.yaml' = 'package-lock.json'): string {
  const dependencies = Object.fromEntries(Object.keys(packages).map((name) => [name, '1.0.0']));
  const npmLock = JSON.stringify({ name: 'fn', version: '1.0.0', lockfileVersion: 3, requires: true, packages: {
    '': { name: 'fn', version: '1.0.0', dependencies },
    ...Object.fromEntries(Object.entries(packages).map(([name, script]) => [`node_modules/${name}`, { version: '1.0.0', integrity: 'sha512-x', ...(script ? { hasInstallScript: true } : {}) }])),
  } });
  const pnpmLock = `lockfileVersion: '9.0'\n\nimporters:\n\n  .:\n    dependencies:\n${Object.keys(packages).map((n) => `      ${n}:\n        specifier: 1.0.0\n        version: 1.0.0\n`).join('')}\npackages:\n\n${Object.keys(packages).map((n) => `  ${n}@1.0.0:\n    resolution: {integrity: sha512-x}\n`).join('\n')}\nsnapshots:\n\n${Object.keys(packages).map((n) => `  ${n}@1.0.0: {}\n`).join('\n')}`;
  const p = tempProject({
    'fn/index.js': 'exports.handler = async () => 1;\n',
    'fn/package.json': JSON.stringify({ name: 'fn', version: '1.0.0', dependencies }),
    [`fn/${lockfile}`]: lockfile === 'package-lock.json' ? npmLock : pnpmLock,
  });
  projects.push(p);
  return path.join(p.root, 'fn');
}

function task(source: string, options: { engineImage?: ImageChoice; env?: Record<string, string>; arch?: typeof ARM } = {}): PlacedTask {
  const arch = options.arch ?? ARM;
  return {
    id: `fn-${arch.name}`, arch, engine: { arch: X86 }, image: LOCAL_NODE, engineImage: options.engineImage ?? LOCAL_NODE, requestedStrategy: 'auto',
    runtimeImage: { kind: 'recipe', recipe: 'runtime-nodejs22.x', origin: 'local' }, output: `/out/fn-${arch.name}.zip`,
    artifact: {
      name: 'fn', kind: 'function', builder: 'npm', root: source, source, handler: 'index.handler', runtime: runtime('nodejs22.x'), runtimes: [runtime('nodejs22.x')],
      env: options.env ?? {}, passEnv: [], exclude: [],
    } as unknown as PlacedTask['artifact'],
  };
}

async function analysisOf(t: PlacedTask) {
  return npmBuilder.analyze(t.artifact, await walkSource(t.artifact.source, { artifact: 'fn' }), HOST);
}

describe("node-gyp's cross environment", () => {
  it('names the target arch for node-gyp and the prebuilt downloaders, the target compilers, and the engine\'s gcc for the host toolset', () => {
    expect(nodeGypCrossEnv(ARM)).toEqual({
      npm_config_arch: 'arm64', npm_config_target_arch: 'arm64',
      CC: 'aarch64-linux-gnu-gcc', CXX: 'aarch64-linux-gnu-g++', AR: 'aarch64-linux-gnu-ar', LINK: 'aarch64-linux-gnu-g++',
      CC_host: 'gcc', CXX_host: 'g++', AR_host: 'ar', LINK_host: 'g++',
      JOBS: 'max',
    });
    expect(nodeGypCrossEnv(X86)).toMatchObject({
      npm_config_arch: 'x64', npm_config_target_arch: 'x64', CC: 'x86_64-linux-gnu-gcc', CXX: 'x86_64-linux-gnu-g++', LINK: 'x86_64-linux-gnu-g++', CC_host: 'gcc',
    });
  });
});

describe('the npm builder with packages that compile', () => {
  it('cross-compiles for arm64, under the proof, when the x86_64 image has the cross toolchain', async () => {
    const t = task(project({ bcrypt: true, ms: false }));
    const facts = npmBuilder.strategyFacts!(await analysisOf(t), t);
    expect(facts).toMatchObject({ mustCompile: ['bcrypt'], compileCross: 'node-gyp builds with aarch64-linux-gnu-g++, npm_config_arch=arm64' });
    expect(chooseStrategy(t, facts)).toEqual({
      kind: 'cross', buildArch: X86, proof: true,
      reason: 'bcrypt compiles for arm64 on x86_64 (node-gyp builds with aarch64-linux-gnu-g++, npm_config_arch=arm64); accepted once verify and the load check pass on arm64, else rebuilt emulated',
    });
  });

  it('emulates when the x86_64 image has no cross toolchain', async () => {
    const t = task(project({ bcrypt: true }), { engineImage: OFFICIAL_NODE });
    const facts = npmBuilder.strategyFacts!(await analysisOf(t), t);
    expect(facts.compileCross).toBeUndefined();
    expect(chooseStrategy(t, facts)).toEqual({ kind: 'emulated', buildArch: ARM, reason: 'bcrypt must compile on arm64' });
  });

  it('cross-compiles under --strategy cross without a fallback, and refuses it where the image has no cross toolchain', async () => {
    const t: PlacedTask = { ...task(project({ bcrypt: true })), requestedStrategy: 'cross' };
    expect(chooseStrategy(t, npmBuilder.strategyFacts!(await analysisOf(t), t))).toEqual({
      kind: 'cross', buildArch: X86, reason: '--strategy cross: bcrypt compiles for arm64 (node-gyp builds with aarch64-linux-gnu-g++, npm_config_arch=arm64)',
    });
    const bare: PlacedTask = { ...task(project({ bcrypt: true }), { engineImage: OFFICIAL_NODE }), requestedStrategy: 'cross' };
    const facts = npmBuilder.strategyFacts!(await analysisOf(bare), bare);
    expect(() => chooseStrategy(bare, facts)).toThrow(/--strategy cross: fn-arm64 has parts that must build on the target's CPU \(bcrypt:/);
  });

  it('keeps emulating what pnpm installs: it picks optional packages for the machine it runs on', async () => {
    const t = task(project({ bcrypt: true }, 'pnpm-lock.yaml'));
    const facts = npmBuilder.strategyFacts!(await analysisOf(t), t);
    expect(facts).toMatchObject({ noCross: 'pnpm installs for the machine it runs on' });
    expect(facts.compileCross).toBeUndefined();
    expect(chooseStrategy(t, facts).kind).toBe('emulated');
  });

  it('installs in cross mode with the target\'s compilers, checked for first; the config\'s env wins', async () => {
    const t = task(project({ bcrypt: true }), { env: { CXX: 'aarch64-linux-gnu-g++-12', JOBS: '1' } });
    const install = npmBuilder.install(await analysisOf(t), t, CROSS, HOST)!;
    expect(renderStep(install.steps[0]!)).toContain('command -v aarch64-linux-gnu-g++ >/dev/null');
    expect(install.steps[1]).toEqual({ run: ['npm', 'ci', '--omit=dev', '--no-audit', '--no-fund', '--foreground-scripts', '--loglevel=warn', '--cpu=arm64', '--os=linux', '--libc=glibc'] });
    expect(install.env).toEqual({ ...nodeGypCrossEnv(ARM), CXX: 'aarch64-linux-gnu-g++-12', JOBS: '1' });
  });

  it('compiles in parallel, with no cross environment, natively and emulated', async () => {
    const source = project({ bcrypt: true });
    const emulated = task(source);
    expect(npmBuilder.install(await analysisOf(emulated), emulated, EMULATED, HOST)!.env).toEqual(NODE_GYP_PARALLEL);
    const native = task(source, { arch: X86 });
    const install = npmBuilder.install(await analysisOf(native), native, NATIVE, HOST)!;
    expect(install.env).toEqual({ JOBS: 'max' });
    expect(install.steps).toEqual([{ run: ['npm', 'ci', '--omit=dev', '--no-audit', '--no-fund', '--foreground-scripts', '--loglevel=warn'] }]);
  });

  it('gives a cross install where nothing is known to compile the cross compilers of an image that has them, without requiring them', async () => {
    // A lockfile without hasInstallScript hides an addon: it must still build for the target.
    const t = task(project({ ms: false }));
    const install = npmBuilder.install(await analysisOf(t), t, { kind: 'cross', reason: 'test', buildArch: X86 }, HOST)!;
    expect(install.env).toMatchObject({ npm_config_arch: 'arm64', CXX: 'aarch64-linux-gnu-g++', CXX_host: 'g++', JOBS: 'max' });
    expect(install.steps).toHaveLength(1);
  });

  it('adds no compilers to a cross install in an image without them', async () => {
    const t = task(project({ ms: false }), { engineImage: { kind: 'reference', ref: 'public.ecr.aws/sam/build-nodejs22.x:latest-x86_64', origin: 'official' } });
    const install = npmBuilder.install(await analysisOf(t), t, { kind: 'cross', reason: 'test', buildArch: X86 }, HOST)!;
    expect(install.env).toEqual({ JOBS: 'max' });
  });
});
