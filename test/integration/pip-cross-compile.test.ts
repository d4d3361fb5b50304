// arm64 Python C extensions at x86_64 speed: a function whose requirements.txt names a vendored
// C-extension sdist (fixtures/python-sdist) and one with a local C-extension project beside a
// pure-Python one (fixtures/python-native) build, with the default strategy, in the x86_64 local
// python3.11 image: setuptools compiles with aarch64-linux-gnu-gcc against the arm64 interpreter's
// sysconfig data, and the proof (verify, the load check on arm64) accepts the zip. The .so is
// aarch64 and computes the right answer on arm64; two cold builds give the same bytes. Without
// the cross toolchain in the engine's image the same source still builds emulated.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lambdaPack, REPO } from '../helpers/cli.js';
import { requireEngine } from '../helpers/docker.js';
import { elfMachine, extractZip, sha256, zipEntries } from '../helpers/zip.js';
import type { ArtifactRecord, Manifest } from '../../src/package/manifest.js';

const SDIST = path.join(REPO, 'fixtures/python-sdist');
const NATIVE = path.join(REPO, 'fixtures/python-native');
const dir = mkdtempSync(path.join(os.tmpdir(), 'lambda-pack-pip-cross-compile-'));
const env = { LAMBDA_PACK_CACHE_DIR: path.join(dir, 'cache') };
const out = (build: string) => path.join(dir, build);
const extracted: string[] = [];

/** Every build of the suite, all for arm64, cold: [output directory, project, function]. */
const BUILDS: Record<string, [string, string]> = {
  sdist: [SDIST, 'sums'],
  'sdist-again': [SDIST, 'sums'],
  native: [NATIVE, 'stats'],
};

function record(build: string): ArtifactRecord {
  const manifest: Manifest = JSON.parse(readFileSync(path.join(out(build), 'manifest.json'), 'utf8'));
  return manifest.artifacts.find((a) => a.arch === 'arm64')!;
}

const zipOf = (build: string) => path.join(out(build), `${BUILDS[build]![1]}-arm64.zip`);

async function plannedStrategy(cwd: string, args: readonly string[] = []) {
  const result = await lambdaPack(['plan', '--json', '--arch', 'arm64', ...args], { cwd, env });
  expect(result.exitCode, result.stderr).toBe(0);
  return JSON.parse(result.stdout).tasks[0].strategy;
}

async function invoke(build: string, event: unknown): Promise<unknown> {
  const [cwd, name] = BUILDS[build]!;
  const file = path.join(dir, `${build}-event.json`);
  writeFileSync(file, JSON.stringify(event));
  const result = await lambdaPack(['invoke', name, '--arch', 'arm64', '--out', out(build), '--event', file], { cwd, env });
  expect(result.exitCode, result.stderr).toBe(0);
  return JSON.parse(result.stdout);
}

beforeAll(async () => {
  await requireEngine();
  for (const [build, [cwd, name]] of Object.entries(BUILDS)) {
    const result = await lambdaPack(['build', name, '--arch', 'arm64', '--no-cache', '--out', out(build)], { cwd, env });
    expect(result.exitCode, `${build}: ${result.stderr}`).toBe(0);
  }
}, 600_000);

afterAll(() => { for (const d of [dir, ...extracted]) rmSync(d, { recursive: true, force: true }); });

describe('cross-compiling Python C extensions for arm64 from x86_64', () => {
  it('is what auto picks for a vendored sdist and a local C extension, with the proof as the reason', async () => {
    const how = '(setuptools builds with aarch64-linux-gnu-gcc, _PYTHON_HOST_PLATFORM=linux-aarch64); accepted once verify and the load check pass on arm64, else rebuilt emulated';
    expect(await plannedStrategy(SDIST)).toEqual({ kind: 'cross', buildArch: 'x86_64', proof: true, reason: `cfast compiles for arm64 on x86_64 ${how}` });
    expect(await plannedStrategy(NATIVE)).toEqual({ kind: 'cross', buildArch: 'x86_64', proof: true, reason: `fastmath compiles for arm64 on x86_64 ${how}` });
  });

  it('passed the proof: built cross in the x86_64 image, load-checked on arm64, no fallback, no finding', () => {
    for (const build of Object.keys(BUILDS)) {
      const built = record(build);
      expect(built, build).toMatchObject({ strategy: 'cross', arch: 'arm64', builder: 'pip', findings: [] });
      expect(built.image, build).toMatch(/^lambda-pack-local\/python3\.11:x86_64-/);
      expect(built.fallback, build).toBeUndefined();
      expect(built.loadCheckMs, build).toBeGreaterThan(0);
    }
  });

  it('ships aarch64 extensions named for the arm64 interpreter, which verify accepts', async () => {
    for (const [build, so] of [['sdist', 'cfast.cpython-311-aarch64-linux-gnu.so'], ['native', 'fastmath.cpython-311-aarch64-linux-gnu.so']] as const) {
      const entries = await zipEntries(zipOf(build));
      expect(entries.filter((e) => e.endsWith('.so'))).toEqual([so]);
      const unpacked = await extractZip(zipOf(build));
      extracted.push(unpacked);
      expect(await elfMachine(path.join(unpacked, so))).toBe(183);
      const verified = await lambdaPack(['verify', zipOf(build), '--runtime', 'python3.11', '--arch', 'arm64', '--handler', 'app.handler', '--json']);
      expect(verified.exitCode, verified.stdout + verified.stderr).toBe(0);
    }
    // The wheel went in as a wheel for the target: its record says so.
    const unpacked = extracted[0]!;
    expect(readFileSync(path.join(unpacked, 'cfast-0.1.0.dist-info/WHEEL'), 'utf8')).toContain('Tag: cp311-cp311-linux_aarch64');
  });

  it('computes the right answer on arm64', async () => {
    expect(await invoke('sdist', { numbers: [4, 5, 6] })).toEqual({ total: 15, module: 'cfast.cpython-311-aarch64-linux-gnu.so' });
    expect(await invoke('native', { numbers: [1, 2, 3] })).toEqual({ sumOfSquares: 14, summary: expect.stringContaining('sum of squares 14'), compiledFor: 'arm64', machine: 'aarch64' });
  }, 120_000);

  it('gives the same bytes on every cold build', async () => {
    expect(await sha256(zipOf('sdist-again'))).toBe(await sha256(zipOf('sdist')));
  });

  it('still emulates when asked, or when the engine\'s image has no cross toolchain', async () => {
    expect(await plannedStrategy(SDIST, ['--strategy', 'emulated'])).toMatchObject({ kind: 'emulated', buildArch: 'arm64' });
    // The same function with a build image of its own: lambda-pack knows no cross toolchain in it.
    expect(await plannedStrategy(NATIVE, ['--config', path.join(NATIVE, 'own-image.config.yaml')])).toEqual({ kind: 'emulated', buildArch: 'arm64', reason: 'fastmath must compile on arm64' });
  });
});
