// fixtures/node-native built for x86_64 and arm64 on the real engine, then loaded and called in a
// container of each architecture.
import { localImage } from '../helpers/pip-steps.js';
import { mkdtempSync, readFileSync, readdirSync, statSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lambdaPack, REPO } from '../helpers/cli.js';
import { lambdaPackContainers, requireEngine, runInContainer } from '../helpers/docker.js';
import { elfMachine, extractZip, sha256, zipEntries } from '../helpers/zip.js';
import { buildAsUser, notOwnedBy } from '../helpers/user.js';
import type { Manifest } from '../../src/package/manifest.js';

const FIXTURE = path.join(REPO, 'fixtures/node-native');
const ARCHES = [{ arch: 'x86_64', machine: 62 }, { arch: 'arm64', machine: 183 }] as const;
const out = mkdtempSync(path.join(os.tmpdir(), 'lambda-pack-node-native-'));
let manifest: Manifest;
let containersBefore: string[];

function zipOf(arch: string, dir = out): string {
  return path.join(dir, `native-${arch}.zip`);
}

beforeAll(async () => {
  await requireEngine();
  containersBefore = await lambdaPackContainers();
  const result = await lambdaPack(['build', '--out', out, '--json'], { cwd: FIXTURE });
  expect(result.stderr).not.toContain('FAIL');
  expect(result.exitCode, result.stderr).toBe(0);
  const printed = JSON.parse(result.stdout);
  expect(printed.ok).toBe(true);
  manifest = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8'));
}, 600_000);

afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('node-native built on the real engine', () => {
  it('writes one zip per architecture and a manifest describing them', () => {
    expect(readdirSync(out).sort()).toEqual(['manifest.json', 'native-arm64.zip', 'native-x86_64.zip']);
    for (const { arch } of ARCHES) {
      const record = manifest.artifacts.find((a) => a.arch === arch)!;
      expect(record).toMatchObject({ name: 'native', kind: 'function', runtime: 'nodejs22.x', builder: 'npm', path: `native-${arch}.zip`, zippedBytes: statSync(zipOf(arch)).size });
      expect(Buffer.from(record.codeSha256, 'base64').toString('hex')).toBe(record.sha256);
    }
  });

  it.each(ARCHES)('ships native files for $arch only (ELF machine $machine)', async ({ arch, machine }) => {
    const dir = await extractZip(zipOf(arch));
    try {
      const natives = (await zipEntries(zipOf(arch))).filter((e) => e.endsWith('.node'));
      expect(natives.sort()).toEqual([
        `node_modules/@node-rs/crc32-linux-${arch === 'x86_64' ? 'x64' : 'arm64'}-gnu/crc32.linux-${arch === 'x86_64' ? 'x64' : 'arm64'}-gnu.node`,
        'node_modules/native-sum/build/Release/native_sum.node',
      ]);
      for (const file of natives) expect(await elfMachine(path.join(dir, file)), file).toBe(machine);
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });

  it.each(ARCHES)('loads the handler on $arch in Node 22 and computes with the addon and the prebuilt package', async ({ arch }) => {
    const dir = await extractZip(zipOf(arch));
    try {
      // The Node 22 image of the architecture: a cross-compiled zip's own build image is x86_64's.
      const stdout = await runInContainer(await localImage('nodejs22.x', arch), arch, dir, '/var/task',
        `cd /tmp && node -e 'require("/var/task/index.js").handler({ numbers: [3, 4, 12], text: "hello" }).then((r) => console.log(JSON.stringify(r)))'`);
      const result = JSON.parse(stdout.trim().split('\n').pop()!);
      expect(result).toEqual({
        sumOfSquares: 169, crc32: 907060870, timeout: 120000, addonArch: arch, processArch: arch === 'x86_64' ? 'x64' : 'arm64', node: expect.stringMatching(/^22\./),
      });
    } finally { rmSync(dir, { recursive: true, force: true }); }
  }, 120_000);

  it('leaves out devDependencies, .npmrc, excluded sources, musl twins and build intermediates', async () => {
    for (const { arch } of ARCHES) {
      const entries = await zipEntries(zipOf(arch));
      expect(entries).toContain('index.js');
      expect(entries.some((e) => e.startsWith('node_modules/is-number'))).toBe(false);
      expect(entries).not.toContain('.npmrc');
      expect(entries.some((e) => e.startsWith('native/'))).toBe(false);
      expect(entries.some((e) => e.includes('musl'))).toBe(false);
      expect(entries.filter((e) => /obj\.target|\.deps\/|Makefile|\.mk$|config\.gypi|\.o$|\.a$|\.package-lock\.json/.test(e))).toEqual([]);
    }
  });

  it('gives byte-identical zips when built again', async () => {
    const again = mkdtempSync(path.join(os.tmpdir(), 'lambda-pack-node-native-again-'));
    try {
      const result = await lambdaPack(['build', '--no-cache', '--out', again], { cwd: FIXTURE });
      expect(result.exitCode, result.stderr).toBe(0);
      for (const { arch } of ARCHES) expect(await sha256(zipOf(arch, again))).toBe(await sha256(zipOf(arch)));
    } finally { rmSync(again, { recursive: true, force: true }); }
  }, 600_000);

  it('leaves no container behind', async () => {
    expect((await lambdaPackContainers()).filter((c) => !containersBefore.includes(c))).toEqual([]);
  });
});

describe('a build by a non-root user', () => {
  it('writes every output file owned by that user, with the same bytes', async () => {
    const build = await buildAsUser(FIXTURE, '.', ['--arch', 'x86_64']);
    try {
      expect(build.exitCode, build.stderr).toBe(0);
      expect(readdirSync(build.outDir).sort()).toEqual(['manifest.json', 'native-x86_64.zip']);
      expect(notOwnedBy(build.outDir, build.uid)).toEqual([]);
      expect(await sha256(path.join(build.outDir, 'native-x86_64.zip'))).toBe(await sha256(zipOf('x86_64')));
    } finally { rmSync(build.home, { recursive: true, force: true }); }
  }, 300_000);
});
