// arm64 pip without emulation: a Python function whose dependencies are all wheels (a C extension
// and a pure-Python package, from the function's own wheelhouse) installs from an x86_64 container
// with pip --platform and gives exactly the zip an emulated build gives. (What must compile
// cross-compiles under the proof: pip-cross-compile.test.ts.)
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lambdaPack, REPO } from '../helpers/cli.js';
import { requireEngine, runInContainer } from '../helpers/docker.js';
import { elfMachine, extractZip, sha256, zipEntries } from '../helpers/zip.js';
import type { Manifest } from '../../src/package/manifest.js';

const FIXTURE = path.join(REPO, 'fixtures/python-wheels');
const NATIVE = path.join(REPO, 'fixtures/python-native');
/** The demo's pylib layer: one local pure-Python package, no wheelhouse. */
const LAYER = ['pylib', '--config', path.join(REPO, 'fixtures/demo/lambda-pack.config.yaml')];
const dir = mkdtempSync(path.join(os.tmpdir(), 'lambda-pack-cross-pip-'));
const env = { LAMBDA_PACK_CACHE_DIR: path.join(dir, 'cache') };
const out = (name: string) => path.join(dir, name);
const zip = (name: string) => path.join(out(name), 'bits-arm64.zip');
const manifest = (name: string): Manifest => JSON.parse(readFileSync(path.join(out(name), 'manifest.json'), 'utf8'));

async function build(name: string, args: readonly string[], cwd = FIXTURE) {
  const result = await lambdaPack(['build', '--arch', 'arm64', '--no-cache', '--out', out(name), ...args], { cwd, env });
  expect(result.exitCode, result.stderr).toBe(0);
}

beforeAll(async () => {
  await requireEngine();
  // The wheelhouse is built once per machine (setup-machine.sh does it; this is a no-op then).
  await execa('bash', [path.join(FIXTURE, 'build-wheels.sh')]);
  await build('auto', []);
  await build('again', []);
  await build('emulated', ['--strategy', 'emulated']);
  await build('layer-auto', LAYER);
  await build('layer-emulated', [...LAYER, '--strategy', 'emulated']);
}, 600_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('cross-installing pip wheels for arm64', () => {
  it('is what auto picks when every requirement is a wheel, and the plan says why; a local C extension cross-compiles under the proof', async () => {
    const result = await lambdaPack(['plan', '--json', '--arch', 'arm64'], { cwd: FIXTURE, env });
    const [task] = JSON.parse(result.stdout).tasks;
    expect(task).toMatchObject({ id: 'bits-arm64', strategy: { kind: 'cross' } });
    expect(task.strategy.reason).toBe('every requirement is a cp311 wheel for aarch64 (manylinux, glibc ≤ 2.26) in wheels/: x86_64 pip installs them for arm64 (--platform, --only-binary=:all:); accepted once verify and the load check pass on arm64, else rebuilt emulated');
    expect(task.strategy.proof).toBe(true);
    expect(manifest('auto').artifacts[0]).toMatchObject({ strategy: 'cross', arch: 'arm64', builder: 'pip' });
    const native = await lambdaPack(['plan', '--json', '--arch', 'arm64'], { cwd: NATIVE, env });
    expect(JSON.parse(native.stdout).tasks[0]).toMatchObject({ strategy: { kind: 'cross', proof: true, reason: expect.stringContaining('fastmath compiles for arm64 on x86_64') } });
  });

  it('gives the same zip as an emulated build: same files, same native binary, same bytes, every time', async () => {
    expect(manifest('emulated').artifacts[0]).toMatchObject({ strategy: 'emulated', arch: 'arm64' });
    const entries = await zipEntries(zip('auto'));
    expect(entries).toEqual(await zipEntries(zip('emulated')));
    expect(entries.filter((e) => e.endsWith('.so'))).toEqual(['bitcount.cpython-311-aarch64-linux-gnu.so']);
    // The wheelhouse is read by the install only; nothing of it ships.
    expect(entries.filter((e) => e.startsWith('wheels') || e.endsWith('.whl'))).toEqual([]);
    expect(await sha256(zip('auto'))).toBe(await sha256(zip('emulated')));
    expect(await sha256(zip('again'))).toBe(await sha256(zip('auto')));
  });

  it('passes verify, and its handler runs on arm64 with the arm64 extension', async () => {
    const verified = await lambdaPack(['verify', zip('auto'), '--runtime', 'python3.11', '--arch', 'arm64', '--handler', 'app.handler', '--json']);
    expect(verified.exitCode, verified.stdout + verified.stderr).toBe(0);
    expect(manifest('auto').artifacts[0]!.findings).toEqual([]);
    const extracted = await extractZip(zip('auto'));
    try {
      expect(await elfMachine(path.join(extracted, 'bitcount.cpython-311-aarch64-linux-gnu.so'))).toBe(183);
      const stdout = await runInContainer(manifest('emulated').artifacts[0]!.image!, 'arm64', extracted, '/var/task',
        `cd /var/task && python3.11 -c 'import json, app; print(json.dumps(app.handler({"body": "hello"})))'`);
      expect(JSON.parse(stdout)).toEqual({ bytes: 5, ones: 21, zeros: 19, compiledFor: 'arm64', machine: 'aarch64' });
    } finally { rmSync(extracted, { recursive: true, force: true }); }
  }, 120_000);

  it('cross-builds a local pure-Python package (a layer) with the same zip as an emulated build', async () => {
    expect(manifest('layer-auto').artifacts[0]).toMatchObject({ name: 'pylib', kind: 'layer', strategy: 'cross', arch: 'arm64' });
    expect(manifest('layer-emulated').artifacts[0]).toMatchObject({ name: 'pylib', strategy: 'emulated' });
    const [cross, emulated] = ['layer-auto', 'layer-emulated'].map((name) => path.join(out(name), 'pylib-arm64.zip'));
    expect(await zipEntries(cross!)).toContain('python/slugkit/__init__.py');
    expect(await sha256(cross!)).toBe(await sha256(emulated!));
  });

  it('refuses --strategy cross where a package must compile and the engine\'s image cannot cross-compile it', async () => {
    const config = path.join(NATIVE, 'own-image.config.yaml');
    const result = await lambdaPack(['build', '--arch', 'arm64', '--strategy', 'cross', '--config', config, '--out', out('refused')], { cwd: NATIVE, env });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('fastmath');
    expect(result.stderr).toContain('Use auto or emulated');
  });
});
