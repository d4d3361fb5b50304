// The proof decides a cross compile: fixtures/cross-proof's Makefile runs a generator it built for
// the build machine, so its x86_64-built tables make the aarch64 program refuse to start. auto
// cross-compiles, the load check on arm64 refuses the zip, and the task is rebuilt emulated: the
// manifest, the progress and the build summary say why, and the zip works. Unchanged, the next
// build keeps the emulated zip without trying the cross compile again; --strategy cross, which
// has no fallback, fails with the loader's words and leaves that zip as it was.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lambdaPack, REPO } from '../helpers/cli.js';
import { requireEngine } from '../helpers/docker.js';
import { elfMachine, extractZip, sha256 } from '../helpers/zip.js';
import type { ArtifactRecord, Manifest } from '../../src/package/manifest.js';

const FIXTURE = path.join(REPO, 'fixtures/cross-proof');
const dir = mkdtempSync(path.join(os.tmpdir(), 'lambda-pack-cross-proof-'));
const out = path.join(dir, 'dist');
const env = { LAMBDA_PACK_CACHE_DIR: path.join(dir, 'cache') };
const zip = path.join(out, 'generated-arm64.zip');
let first: Awaited<ReturnType<typeof lambdaPack>>;

function record(): ArtifactRecord {
  const manifest: Manifest = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8'));
  return manifest.artifacts.find((a) => a.name === 'generated')!;
}

beforeAll(async () => {
  await requireEngine();
  first = await lambdaPack(['build', '--out', out], { cwd: FIXTURE, env: { ...env, CI: 'true' } });
}, 600_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a cross compile whose build runs what it built for the build machine', () => {
  it('is what auto picks, with the proof as the reason and an emulated fallback in the plan', async () => {
    const fresh = JSON.parse((await lambdaPack(['plan', '--json', '--out', path.join(dir, 'none')], { cwd: FIXTURE, env })).stdout).tasks[0];
    expect(fresh.strategy).toEqual({
      kind: 'cross', buildArch: 'x86_64', proof: true,
      reason: 'the Makefile compiles for arm64 on x86_64 (make CC=aarch64-linux-gnu-gcc CXX=aarch64-linux-gnu-g++, AR, LD, RANLIB and STRIP from the environment); accepted once verify and the load check pass on arm64, else rebuilt emulated',
    });
    expect(fresh.fallback.strategy).toMatchObject({ kind: 'emulated', buildArch: 'arm64' });
    expect(fresh.fallback.install.image).toEqual(expect.objectContaining({ recipe: 'provided.al2023' }));
  });

  it('is refused by the load check on arm64 and rebuilt emulated, saying why', async () => {
    expect(first.exitCode, first.stderr).toBe(0);
    const why = 'the proof refused the cross build: LOAD_FAILED (whole zip): ';
    expect(record()).toMatchObject({ strategy: 'emulated', action: 'rebuild', fallback: expect.stringContaining(why) });
    expect(record().fallback).toContain('answer: its tables were generated for x86_64, but it runs on aarch64');
    expect(first.stderr).toContain('rebuilding emulated');
    expect(first.stdout + first.stderr).toContain(`built emulated: ${why}`);
    expect(record().findings).toEqual([]);
  });

  it('ships the emulated build, which is aarch64 and answers on arm64', async () => {
    const unpacked = await extractZip(zip);
    try {
      expect(await elfMachine(path.join(unpacked, 'answer'))).toBe(183);
    } finally { rmSync(unpacked, { recursive: true, force: true }); }
    const event = path.join(dir, 'event.json');
    await import('node:fs/promises').then((fs) => fs.writeFile(event, '{}'));
    const result = await lambdaPack(['invoke', 'generated', '--arch', 'arm64', '--out', out, '--event', event], { cwd: FIXTURE, env });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ answer: 42, arch: 'aarch64' });
  }, 120_000);

  it('keeps the emulated zip when nothing changed, without trying the cross compile again', async () => {
    const before = await sha256(zip);
    const again = await lambdaPack(['build', '--out', out], { cwd: FIXTURE, env });
    expect(again.exitCode, again.stderr).toBe(0);
    expect(record()).toMatchObject({ action: 'reuse', strategy: 'emulated', fallback: expect.stringContaining('LOAD_FAILED') });
    expect(again.stderr).not.toContain('rebuilding emulated');
    expect(await sha256(zip)).toBe(before);
  }, 120_000);

  it('fails under --strategy cross, which has no fallback, and leaves the previous zip as it was', async () => {
    const before = await sha256(zip);
    const result = await lambdaPack(['build', '--out', out, '--strategy', 'cross'], { cwd: FIXTURE, env });
    expect(result.exitCode).toBe(1);
    expect(result.stdout + result.stderr).toContain('its tables were generated for x86_64, but it runs on aarch64');
    expect(await sha256(zip)).toBe(before);
  }, 300_000);
});
