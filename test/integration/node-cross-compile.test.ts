// A node-gyp addon cross-compiled for arm64 in the x86_64 image: bcrypt 5.1.1 from the npm
// registry (node-pre-gyp asks for the linux-arm64 prebuilt, fails offline, and node-gyp compiles
// it with aarch64-linux-gnu-g++). auto picks cross under the proof; the proof passes, so the zip
// is the cross build: its addon is aarch64, it answers on arm64, and a second cold build gives
// the same bytes, as does one compiling a file at a time (JOBS=1 instead of JOBS=max).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lambdaPack, REPO } from '../helpers/cli.js';
import { requireEngine } from '../helpers/docker.js';
import { elfMachine, extractZip, sha256 } from '../helpers/zip.js';
import type { ArtifactRecord, Manifest } from '../../src/package/manifest.js';

const FIXTURE = path.join(REPO, 'fixtures/node-bcrypt');
const ADDON = 'node_modules/bcrypt/lib/binding/napi-v3/bcrypt_lib.node';
const dir = mkdtempSync(path.join(os.tmpdir(), 'lambda-pack-node-cross-'));
const env = { LAMBDA_PACK_CACHE_DIR: path.join(dir, 'cache') };
const outs = [path.join(dir, 'first'), path.join(dir, 'again')];
/** The fixture's config with JOBS=1 in the function's env, beside it (so `source:` resolves the same). */
const SERIAL = path.join(FIXTURE, `lambda-pack.serial-${process.pid}.yaml`);

function record(out: string): ArtifactRecord {
  const manifest: Manifest = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8'));
  return manifest.artifacts.find((a) => a.name === 'hasher' && a.arch === 'arm64')!;
}

beforeAll(async () => {
  await requireEngine();
  for (const out of outs) {
    const result = await lambdaPack(['build', '--arch', 'arm64', '--no-cache', '--out', out], { cwd: FIXTURE, env });
    expect(result.exitCode, result.stderr).toBe(0);
  }
}, 600_000);

afterAll(() => { rmSync(dir, { recursive: true, force: true }); rmSync(SERIAL, { force: true }); });

describe('bcrypt built for arm64 by default', () => {
  it('is cross-compiled under the proof, and the plan says how', async () => {
    const task = JSON.parse((await lambdaPack(['plan', '--json', '--arch', 'arm64'], { cwd: FIXTURE, env })).stdout).tasks[0];
    expect(task.strategy).toEqual({
      kind: 'cross', buildArch: 'x86_64', proof: true,
      reason: 'bcrypt compiles for arm64 on x86_64 (node-gyp builds with aarch64-linux-gnu-g++, npm_config_arch=arm64); accepted once verify and the load check pass on arm64, else rebuilt emulated',
    });
    expect(task.install.env).toMatchObject({ npm_config_arch: 'arm64', CXX: 'aarch64-linux-gnu-g++', CXX_host: 'g++', JOBS: 'max' });
    expect(task.fallback.strategy).toMatchObject({ kind: 'emulated', buildArch: 'arm64' });
  });

  it('passes the proof: the manifest records the cross build, its load check, no fallback and no finding', () => {
    const built = record(outs[0]!);
    expect(built).toMatchObject({ strategy: 'cross', action: 'rebuild', findings: [], image: expect.stringContaining('nodejs22.x:x86_64-') });
    expect(built.loadCheckMs).toBeGreaterThan(0);
    expect(built.fallback).toBeUndefined();
  });

  it('ships an aarch64 addon that answers through lambda-pack invoke on arm64', async () => {
    const unpacked = await extractZip(path.join(outs[0]!, 'hasher-arm64.zip'));
    try {
      expect(await elfMachine(path.join(unpacked, ADDON))).toBe(183);
    } finally { rmSync(unpacked, { recursive: true, force: true }); }
    const event = path.join(dir, 'event.json');
    writeFileSync(event, '{"password":"hunter2"}');
    const result = await lambdaPack(['invoke', 'hasher', '--arch', 'arm64', '--out', outs[0]!, '--event', event], { cwd: FIXTURE, env });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ valid: true, prefix: '$2b$', arch: 'arm64' });
  }, 120_000);

  it('gives the same bytes when built cold again', async () => {
    expect(record(outs[1]!).strategy).toBe('cross');
    expect(await sha256(path.join(outs[1]!, 'hasher-arm64.zip'))).toBe(await sha256(path.join(outs[0]!, 'hasher-arm64.zip')));
  });

  it('gives the same bytes compiling one file at a time: the config\'s JOBS=1 wins over JOBS=max', async () => {
    const config = readFileSync(path.join(FIXTURE, 'lambda-pack.config.yaml'), 'utf8');
    writeFileSync(SERIAL, config.replace('    handler: index.handler\n', '    handler: index.handler\n    env: { JOBS: "1" }\n'));
    const serial = path.join(dir, 'serial');
    const plan = JSON.parse((await lambdaPack(['plan', '--json', '--arch', 'arm64', '--config', SERIAL], { cwd: FIXTURE, env })).stdout).tasks[0];
    expect(plan.install.env).toMatchObject({ JOBS: '1', CXX: 'aarch64-linux-gnu-g++' });
    const result = await lambdaPack(['build', '--arch', 'arm64', '--no-cache', '--config', SERIAL, '--out', serial], { cwd: FIXTURE, env });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(record(serial).strategy).toBe('cross');
    expect(await sha256(path.join(serial, 'hasher-arm64.zip'))).toBe(await sha256(path.join(outs[0]!, 'hasher-arm64.zip')));
  }, 300_000);
});
