// arm64 without emulation: an npm function whose native dependency is prebuilt installs from an
// x86_64 container (cross) and gives exactly the zip an emulated build gives; one whose addon
// compiles is cross-compiled there too.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lambdaPack, REPO } from '../helpers/cli.js';
import { requireEngine, runInContainer } from '../helpers/docker.js';
import { elfMachine, extractZip, sha256, zipEntries } from '../helpers/zip.js';
import type { Manifest } from '../../src/package/manifest.js';

const FIXTURE = path.join(REPO, 'fixtures/node-prebuilt');
const dir = mkdtempSync(path.join(os.tmpdir(), 'lambda-pack-cross-'));
const env = { LAMBDA_PACK_CACHE_DIR: path.join(dir, 'cache') };
const out = (strategy: string) => path.join(dir, strategy);
const manifest = (strategy: string): Manifest => JSON.parse(readFileSync(path.join(out(strategy), 'manifest.json'), 'utf8'));

beforeAll(async () => {
  await requireEngine();
  for (const strategy of ['cross', 'emulated']) {
    const result = await lambdaPack(['build', '--arch', 'arm64', '--strategy', strategy, '--out', out(strategy)], { cwd: FIXTURE, env });
    expect(result.exitCode, result.stderr).toBe(0);
  }
}, 600_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('cross-installing npm for arm64', () => {
  it('is what auto picks when nothing compiles, and the plan says why', async () => {
    const result = await lambdaPack(['plan', '--json', '--arch', 'arm64'], { cwd: FIXTURE, env });
    const [task] = JSON.parse(result.stdout).tasks;
    expect(task).toMatchObject({ id: 'checksum-arm64', strategy: { kind: 'cross' } });
    expect(task.strategy.reason).toContain('no package compiles during install');
    const native = await lambdaPack(['plan', '--json', '--arch', 'arm64'], { cwd: path.join(REPO, 'fixtures/node-native'), env });
    expect(JSON.parse(native.stdout).tasks[0]).toMatchObject({ strategy: { kind: 'cross', proof: true, reason: expect.stringContaining('native-sum compiles for arm64 on x86_64 (node-gyp builds with aarch64-linux-gnu-g++') } });
  });

  it('gives the same zip as an emulated build: same files, same native binaries, same bytes', async () => {
    expect(manifest('cross').artifacts[0]).toMatchObject({ strategy: 'cross', arch: 'arm64' });
    expect(manifest('emulated').artifacts[0]).toMatchObject({ strategy: 'emulated', arch: 'arm64' });
    const [cross, emulated] = ['cross', 'emulated'].map((s) => path.join(out(s), 'checksum-arm64.zip'));
    expect(await zipEntries(cross!)).toEqual(await zipEntries(emulated!));
    expect(await sha256(cross!)).toBe(await sha256(emulated!));
  });

  it('ships the arm64 glibc binary only (no musl twin), and it runs on arm64', async () => {
    const zip = path.join(out('cross'), 'checksum-arm64.zip');
    const natives = (await zipEntries(zip)).filter((e) => e.endsWith('.node'));
    expect(natives).toEqual(['node_modules/@node-rs/crc32-linux-arm64-gnu/crc32.linux-arm64-gnu.node']);
    const extracted = await extractZip(zip);
    try {
      expect(await elfMachine(path.join(extracted, natives[0]!))).toBe(183);
      const image = manifest('emulated').artifacts[0]!.image!;
      const stdout = await runInContainer(image, 'arm64', extracted, '/var/task',
        `cd /tmp && node -e 'require("/var/task/index.js").handler({ body: "hello" }).then((r) => console.log(JSON.stringify(r)))'`);
      expect(JSON.parse(stdout)).toEqual({ crc32: 907060870, size: '5B', arch: 'arm64' });
    } finally { rmSync(extracted, { recursive: true, force: true }); }
  }, 120_000);

  it('compiles a package for arm64 under --strategy cross too, node-gyp using the image\'s cross compiler', async () => {
    const compiled = path.join(dir, 'compiled');
    const result = await lambdaPack(['build', '--arch', 'arm64', '--strategy', 'cross', '--out', compiled], { cwd: path.join(REPO, 'fixtures/node-native'), env });
    expect(result.exitCode, result.stderr).toBe(0);
    const built: Manifest = JSON.parse(readFileSync(path.join(compiled, 'manifest.json'), 'utf8'));
    expect(built.artifacts[0]).toMatchObject({ strategy: 'cross', findings: [] });
    const extracted = await extractZip(path.join(compiled, 'native-arm64.zip'));
    try {
      expect(await elfMachine(path.join(extracted, 'node_modules/native-sum/build/Release/native_sum.node'))).toBe(183);
    } finally { rmSync(extracted, { recursive: true, force: true }); }
  }, 300_000);
});
