// The official images' cross toolchain (images/official-cross: zig behind Debian's cross tool
// names) on the real engine. The SAM and Lambda images cannot be pulled here, so the local
// images stand in for them under their official names for this file only (Debian bookworm in
// place of AL2023: the recipe pins zig to the stand-in's own glibc, as it pins it to AL2023's on
// the real image). With imageSet official, bcrypt 5.1.1 for arm64 builds on the recipe's
// x86_64 image: zig cross-compiles the addon, the proof passes on arm64, and the function
// answers. What this cannot show: that the real SAM images (AL2023, dnf, their own gcc) build
// the recipe; the recipe needs nothing but /bin/sh, getconf, od and coreutils from them.
import { execa } from 'execa';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lambdaPack, REPO } from '../helpers/cli.js';
import { requireEngine } from '../helpers/docker.js';
import { localImage } from '../helpers/pip-steps.js';
import { elfMachine, extractZip } from '../helpers/zip.js';
import type { Manifest } from '../../src/package/manifest.js';

const FIXTURE = path.join(REPO, 'fixtures/node-bcrypt');
const ADDON = 'node_modules/bcrypt/lib/binding/napi-v3/bcrypt_lib.node';
const dir = mkdtempSync(path.join(os.tmpdir(), 'lambda-pack-official-cross-'));
const env = { LAMBDA_PACK_CACHE_DIR: path.join(dir, 'cache') };
const out = path.join(dir, 'out');
/** The fixture's config with the default image set (official), beside it so `source:` resolves the same. */
const CONFIG = path.join(FIXTURE, `lambda-pack.official-${process.pid}.yaml`);
/** Official name → the local image standing in for it. */
const STAND_INS: Record<string, () => Promise<string>> = {
  'public.ecr.aws/sam/build-nodejs22.x:latest-x86_64': () => localImage('nodejs22.x', 'x86_64'),
  'public.ecr.aws/sam/build-nodejs22.x:latest-arm64': () => localImage('nodejs22.x', 'arm64'),
  'public.ecr.aws/lambda/nodejs:22-arm64': () => localImage('runtime-nodejs22.x', 'arm64'),
};
/** Images already under an official name on this engine (a real pull): put back afterwards. */
const before = new Map<string, string>();

async function imageId(ref: string): Promise<string | undefined> {
  const result = await execa('docker', ['image', 'inspect', '--format', '{{.Id}}', ref], { reject: false });
  return result.exitCode === 0 ? String(result.stdout).trim() : undefined;
}

beforeAll(async () => {
  await requireEngine();
  for (const [official, local] of Object.entries(STAND_INS)) {
    const existing = await imageId(official);
    if (existing) before.set(official, existing);
    await execa('docker', ['tag', await local(), official]);
  }
  writeFileSync(CONFIG, readFileSync(path.join(FIXTURE, 'lambda-pack.config.yaml'), 'utf8').replace(/^imageSet: local\n/m, 'officialCrossToolchain: zig\n'));
  const result = await lambdaPack(['build', '--arch', 'arm64', '--config', CONFIG, '--out', out], { cwd: FIXTURE, env });
  expect(result.exitCode, result.stderr).toBe(0);
}, 900_000);

afterAll(async () => {
  rmSync(CONFIG, { force: true });
  for (const official of Object.keys(STAND_INS)) {
    const id = before.get(official);
    if (id) await execa('docker', ['tag', id, official]);
    else await execa('docker', ['image', 'rm', official], { reject: false });
  }
  // The recipe's image built on the stand-in stays: its tag hashes the stand-in's image ID, which
  // no real official image has, so only this file finds it again (and skips zig's first build).
  rmSync(dir, { recursive: true, force: true });
}, 120_000);

describe('bcrypt for arm64 with the official images', () => {
  it('is planned cross on the official cross toolchain image, proven, with the official arm64 image emulated as its fallback', async () => {
    const task = JSON.parse((await lambdaPack(['plan', '--json', '--arch', 'arm64', '--config', CONFIG], { cwd: FIXTURE, env })).stdout).tasks[0];
    expect(task.strategy).toMatchObject({ kind: 'cross', buildArch: 'x86_64', proof: true, reason: expect.stringContaining('bcrypt compiles for arm64 on x86_64 (node-gyp builds with aarch64-linux-gnu-g++') });
    expect(task.install.image).toEqual({ kind: 'recipe', recipe: 'cross-nodejs22.x', origin: 'official' });
    expect(task.fallback.install.image).toEqual({ kind: 'reference', ref: 'public.ecr.aws/sam/build-nodejs22.x:latest-arm64', origin: 'official' });
  });

  it('is built there, cross, and passes the proof without a fallback', () => {
    const manifest: Manifest = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8'));
    const built = manifest.artifacts.find((a) => a.name === 'hasher' && a.arch === 'arm64')!;
    expect(built).toMatchObject({ strategy: 'cross', findings: [], image: expect.stringMatching(/^lambda-pack\/cross-nodejs22\.x:x86_64-/) });
    expect(built.fallback).toBeUndefined();
    expect(built.loadCheckMs).toBeGreaterThan(0);
  });

  it('ships an aarch64 addon, built by zig (no libstdc++ needed), that answers on arm64', async () => {
    const unpacked = await extractZip(path.join(out, 'hasher-arm64.zip'));
    try {
      const addon = path.join(unpacked, ADDON);
      expect(await elfMachine(addon)).toBe(183);
      // zig's clang names itself in .comment; Debian's gcc would say GCC.
      expect(readFileSync(addon).includes(Buffer.from('clang version'))).toBe(true);
    } finally { rmSync(unpacked, { recursive: true, force: true }); }
    const event = path.join(dir, 'event.json');
    writeFileSync(event, '{"password":"hunter2"}');
    const result = await lambdaPack(['invoke', 'hasher', '--arch', 'arm64', '--config', CONFIG, '--out', out, '--event', event], { cwd: FIXTURE, env });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ valid: true, prefix: '$2b$', arch: 'arm64' });
  }, 120_000);
});
