// The hybrid of a cross compile (fixtures/python-hybrid): an arm64 python3.11 function whose
// requirements are a local C extension that cross-compiles (quick) and a vendored sdist that
// cannot (probe: its build runs a program it compiled for the target). auto cross-compiles; the
// probe's wheel build fails; only probe is then built in an arm64 container, and the x86_64 cross
// install takes its wheel and installs everything in one pip install. The zip verifies and loads
// on arm64, the record says probe was built emulated and why, probe's files are those of a fully
// emulated build, and every dist-info holds what a fully emulated build's holds. Unchanged, the
// next build reuses it and plan says why.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lambdaPack, REPO } from '../helpers/cli.js';
import { requireEngine, runInContainer } from '../helpers/docker.js';
import { localImage } from '../helpers/pip-steps.js';
import { elfMachine, extractZip, sha256 } from '../helpers/zip.js';
import type { ArtifactRecord, Manifest } from '../../src/package/manifest.js';

const FIXTURE = path.join(REPO, 'fixtures/python-hybrid');
const dir = mkdtempSync(path.join(os.tmpdir(), 'lambda-pack-pip-hybrid-'));
const env = { LAMBDA_PACK_CACHE_DIR: path.join(dir, 'cache') };
const out = { hybrid: path.join(dir, 'hybrid'), emulated: path.join(dir, 'emulated') };
const unpacked: Record<string, string> = {};
let hybridBuild: Awaited<ReturnType<typeof lambdaPack>>;
const PROBE_SO = 'probe.cpython-311-aarch64-linux-gnu.so';
const QUICK_SO = 'quick.cpython-311-aarch64-linux-gnu.so';

function record(build: keyof typeof out): ArtifactRecord {
  const manifest: Manifest = JSON.parse(readFileSync(path.join(out[build], 'manifest.json'), 'utf8'));
  return manifest.artifacts.find((a) => a.name === 'probed')!;
}

/** Every dist-info directory of an unpacked zip: its files, and of each the text, RECORD as its file list. */
function distInfos(root: string): Record<string, Record<string, string>> {
  const found: Record<string, Record<string, string>> = {};
  for (const name of readdirSync(root).filter((n) => n.endsWith('.dist-info')).sort()) {
    found[name] = Object.fromEntries(readdirSync(path.join(root, name)).sort().map((file) => {
      const text = readFileSync(path.join(root, name, file), 'utf8');
      // The compiled bytes may differ (quick cross-compiled): RECORD's hashes of them too.
      return [file, file === 'RECORD' ? text.split('\n').map((line) => line.split(',')[0]).join('\n') : text];
    }));
  }
  return found;
}

beforeAll(async () => {
  await requireEngine();
  hybridBuild = await lambdaPack(['build', '--no-cache', '--out', out.hybrid], { cwd: FIXTURE, env: { ...env, CI: 'true' } });
  expect(hybridBuild.exitCode, hybridBuild.stderr).toBe(0);
  const emulated = await lambdaPack(['build', '--no-cache', '--strategy', 'emulated', '--out', out.emulated], { cwd: FIXTURE, env });
  expect(emulated.exitCode, emulated.stderr).toBe(0);
  for (const build of ['hybrid', 'emulated'] as const) unpacked[build] = await extractZip(path.join(out[build], 'probed-arm64.zip'));
}, 900_000);

afterAll(() => { for (const d of [dir, ...Object.values(unpacked)]) rmSync(d, { recursive: true, force: true }); });

describe('a cross compile with a requirement that cannot cross', () => {
  it('is planned cross, with both compiled requirements as parts a hybrid can build alone', async () => {
    const plan = await lambdaPack(['plan', '--json', '--out', path.join(dir, 'none')], { cwd: FIXTURE, env });
    const task = JSON.parse(plan.stdout).tasks[0];
    expect(task.strategy).toMatchObject({ kind: 'cross', buildArch: 'x86_64', proof: true });
    expect(task.hybrid.parts.map((p: { name: string; failure: string }) => [p.name, p.failure])).toEqual([
      ['probe', 'lambda-pack: could not build probe-0.1.0.tar.gz into a wheel'],
      ['quick', 'lambda-pack: could not build packages/quick into a wheel'],
    ]);
    expect(task.hybrid.install.image).toEqual({ kind: 'recipe', recipe: 'python3.11', origin: 'local' });
  });

  it('builds only probe emulated, the rest cross, and the record, the progress and the summary say so and why', () => {
    const built = record('hybrid');
    expect(built).toMatchObject({ strategy: 'cross', arch: 'arm64', action: 'rebuild', findings: [], hybrid: { emulated: ['probe'] } });
    expect(built.hybrid!.why).toMatch(/^the cross build of probe failed \(exit 1\): subprocess\.CalledProcessError: Command .*probe_main.* returned non-zero exit status/);
    expect(built.fallback).toBeUndefined();
    expect(built.image).toMatch(/^lambda-pack-local\/python3\.11:x86_64-/);
    expect(built.loadCheckMs).toBeGreaterThan(0);
    expect(hybridBuild.stderr).toContain('building probe emulated alone, the rest cross');
    expect(hybridBuild.stderr).toContain('building probe alone on arm64 (emulated)');
    expect(hybridBuild.stdout + hybridBuild.stderr).toContain(`built emulated alone: probe (${built.hybrid!.why}); the rest cross`);
  });

  it('ships aarch64 extensions, verified and loaded on arm64, which answer there', async () => {
    for (const so of [PROBE_SO, QUICK_SO]) expect(await elfMachine(path.join(unpacked.hybrid!, so)), so).toBe(183);
    const verified = await lambdaPack(['verify', path.join(out.hybrid, 'probed-arm64.zip'), '--runtime', 'python3.11', '--arch', 'arm64', '--handler', 'app.handler', '--image-set', 'local', '--load', '--json'], { cwd: FIXTURE, env });
    expect(verified.exitCode, verified.stdout + verified.stderr).toBe(0);
    // The arm64 python3.11 image: the cross-compiled zip's own build image is x86_64's.
    const answer = await runInContainer(await localImage('python3.11', 'arm64'), 'arm64', unpacked.hybrid!, '/var/task',
      `cd /var/task && python3.11 -c 'import json, app; print(json.dumps(app.handler({"n": 7})))'`);
    expect(JSON.parse(answer.trim().split('\n').pop()!)).toEqual({ tripled: 21, longBits: 64, machine: 'aarch64' });
  }, 180_000);

  it('has probe exactly as a fully emulated build has it, and every dist-info as that build\'s: one pip install\'s metadata', async () => {
    expect(await sha256(path.join(unpacked.hybrid!, PROBE_SO))).toBe(await sha256(path.join(unpacked.emulated!, PROBE_SO)));
    const hybrid = distInfos(unpacked.hybrid!);
    expect(Object.keys(hybrid)).toEqual(['probe-0.1.0.dist-info', 'quick-1.0.0.dist-info']);
    expect(hybrid).toEqual(distInfos(unpacked.emulated!));
    for (const info of Object.values(hybrid)) {
      expect(info.INSTALLER).toBe('pip\n');
      expect(info).not.toHaveProperty('direct_url.json');
    }
    expect(hybrid['probe-0.1.0.dist-info']!.WHEEL).toContain('Tag: cp311-cp311-linux_aarch64');
  });

  it('is reused unchanged on the next build, and plan says probe is emulated alone, as last time', async () => {
    const plan = await lambdaPack(['plan', '--json', '--out', out.hybrid], { cwd: FIXTURE, env });
    const task = JSON.parse(plan.stdout).tasks[0];
    expect(task.action).toBe('reuse');
    expect(task.reason).toContain('probe emulated alone, as last time (the cross build of probe failed');
    expect(task.prebuild).toMatchObject({ parts: ['probe'], buildArch: 'arm64' });
    expect(task.strategy.reason).toMatch(/^probe built alone on arm64 \(emulated: the cross build of probe failed/);
    const again = await lambdaPack(['build', '--out', out.hybrid], { cwd: FIXTURE, env });
    expect(again.exitCode, again.stderr).toBe(0);
    expect(record('hybrid')).toMatchObject({ action: 'reuse', hybrid: { emulated: ['probe'] } });
  });
});
