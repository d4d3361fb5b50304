// Node projects of every other package manager, built for x86_64 and arm64 on the real engine and
// invoked in a container of each architecture: a yarn 4 workspace (nodeLinker: node-modules), a
// yarn 1 project, an npm workspace and a bun project. The manager runs in the build container,
// installed there from the npm registry (cached in the package-manager volume). Also npm's
// `file:../shared` sibling (issue: sent in at its relative place, shipped as a real copy with its
// own dependencies) and a function without dependencies (no install at all).
import { localImage } from '../helpers/pip-steps.js';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Manifest } from '../../src/package/manifest.js';
import { lambdaPack, REPO } from '../helpers/cli.js';
import { requireEngine, runInContainer } from '../helpers/docker.js';
import { elfMachine, extractZip, zipEntries } from '../helpers/zip.js';

const ARCHES = [{ arch: 'x86_64', machine: 62, node: 'x64' }, { arch: 'arm64', machine: 183, node: 'arm64' }] as const;
const FIXTURES = { berry: 'node-yarn-berry-workspace', classic: 'node-yarn-classic', npmws: 'node-npm-workspace', bun: 'node-bun', sibling: 'node-file-sibling' } as const;
const FUNCTION = { berry: 'fn', classic: 'classic', npmws: 'fn', bun: 'bun', sibling: 'api' } as const;
type Fixture = keyof typeof FIXTURES;
const work = mkdtempSync(path.join(os.tmpdir(), 'lambda-pack-node-managers-'));
const manifests = new Map<Fixture, Manifest>();

const zipOf = (fixture: Fixture, arch: string) => path.join(work, fixture, 'dist', `${FUNCTION[fixture]}-${arch}.zip`);

/** Top-level packages of a zip's node_modules. */
async function packages(zip: string): Promise<string[]> {
  const names = (await zipEntries(zip)).filter((e) => e.startsWith('node_modules/') && !e.endsWith('/'))
    .map((e) => e.split('/').slice(1, e.startsWith('node_modules/@') ? 3 : 2).join('/'));
  return [...new Set(names)].filter((n) => !n.startsWith('.')).sort();
}


async function invoke(fixture: Fixture, arch: string): Promise<Record<string, unknown>> {
  const dir = await extractZip(zipOf(fixture, arch));
  try {
    // The Node 22 image of the architecture: a cross-compiled zip's own build image is x86_64's.
    const stdout = await runInContainer(await localImage('nodejs22.x', arch as 'x86_64'), arch as 'x86_64', dir, '/var/task',
      `cd /tmp && node -e 'require("/var/task/index.js").handler({ text: "hello" }).then((r) => console.log(JSON.stringify(r)))'`);
    return JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, unknown>;
  } finally { rmSync(dir, { recursive: true, force: true }); }
}

beforeAll(async () => {
  await requireEngine();
  for (const [fixture, dir] of Object.entries(FIXTURES) as [Fixture, string][]) {
    cpSync(path.join(REPO, 'fixtures', dir), path.join(work, fixture), { recursive: true, filter: (src) => !/node_modules|\/dist$/.test(src) });
    const result = await lambdaPack(['build', '--json'], { cwd: path.join(work, fixture) });
    expect(result.exitCode, `${fixture}: ${result.stderr}`).toBe(0);
    manifests.set(fixture, JSON.parse(readFileSync(path.join(work, fixture, 'dist/manifest.json'), 'utf8')) as Manifest);
  }
}, 1_500_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('a yarn 4 workspace with nodeLinker: node-modules', () => {
  it.each(ARCHES)('ships the function\'s closure on $arch, the workspace library as a real directory', async ({ arch }) => {
    expect(await packages(zipOf('berry', arch))).toEqual(['@berry/util', 'debug', 'ms']);
    expect(await zipEntries(zipOf('berry', arch))).toContain('node_modules/@berry/util/index.js');
  });

  it.each(ARCHES)('answers on $arch', async ({ arch, node }) => {
    expect(await invoke('berry', arch)).toEqual({ greeting: 'hello lambda', timeout: 120000, processArch: node });
  }, 120_000);
});

describe('a yarn 1 project', () => {
  it.each(ARCHES)('ships the prebuilt binary of $arch only: no other platform, no musl twin', async ({ arch, machine, node }) => {
    expect(await packages(zipOf('classic', arch))).toEqual(['@node-rs/crc32', `@node-rs/crc32-linux-${node}-gnu`, 'ms']);
    const dir = await extractZip(zipOf('classic', arch));
    try {
      expect(await elfMachine(path.join(dir, `node_modules/@node-rs/crc32-linux-${node}-gnu/crc32.linux-${node}-gnu.node`))).toBe(machine);
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });

  it.each(ARCHES)('answers on $arch', async ({ arch, node }) => {
    expect(await invoke('classic', arch)).toEqual({ crc32: 907060870, timeout: 120000, processArch: node });
  }, 120_000);
});

describe('an npm workspace', () => {
  it.each(ARCHES)('nests the library\'s own ms version under it on $arch, as npm does', async ({ arch }) => {
    const entries = await zipEntries(zipOf('npmws', arch));
    expect(await packages(zipOf('npmws', arch))).toEqual(['@npmws/lib', 'ms']);
    expect(entries).toContain('node_modules/@npmws/lib/node_modules/ms/index.js');
    expect(entries.some((e) => /is-odd|is-number|@npmws\/other/.test(e))).toBe(false);
  });

  it.each(ARCHES)('answers on $arch', async ({ arch }) => {
    expect(await invoke('npmws', arch)).toEqual({ lib: '1m (ms 2.0.0)', own: '2.1.3', timeout: 120000 });
  }, 120_000);
});

describe('a bun project', () => {
  it.each(ARCHES)('ships the production dependencies bun installed on $arch', async ({ arch, node }) => {
    expect(await packages(zipOf('bun', arch))).toEqual(['@node-rs/crc32', `@node-rs/crc32-linux-${node}-gnu`, 'ms']);
  });

  it.each(ARCHES)('answers on $arch', async ({ arch, node }) => {
    expect(await invoke('bun', arch)).toEqual({ crc32: 907060870, timeout: 120000, processArch: node });
  }, 120_000);
});

describe('an npm function with a file: sibling outside its directory', () => {
  it.each(ARCHES)('ships the sibling as a real directory with its own dependency on $arch', async ({ arch }) => {
    expect(await packages(zipOf('sibling', arch))).toEqual(['ms', 'shared']);
    expect(await zipEntries(zipOf('sibling', arch))).toContain('node_modules/shared/index.js');
  });

  it.each(ARCHES)('answers on $arch', async ({ arch, node }) => {
    expect(await invoke('sibling', arch)).toEqual({ timeout: 120000, processArch: node });
  }, 120_000);
});

describe('a function without dependencies', () => {
  it('builds without a lockfile and without a container, shipping its code', async () => {
    const dir = path.join(work, 'plain');
    cpSync(path.join(REPO, 'fixtures/node-npm-workspace/packages/other'), path.join(dir, 'fn'), { recursive: true });
    writeFileSync(path.join(dir, 'fn/package.json'), JSON.stringify({ name: 'plain', version: '1.0.0', devDependencies: { vitest: '3.0.0' } }));
    writeFileSync(path.join(dir, 'fn/index.js'), 'exports.handler = async () => "ok";\n');
    writeFileSync(path.join(dir, 'lambda-pack.config.yaml'), 'imageSet: local\nfunctions:\n  plain: { runtime: nodejs22.x, source: fn, handler: index.handler }\n');
    const result = await lambdaPack(['build', '--json'], { cwd: dir });
    expect(result.exitCode, result.stderr).toBe(0);
    const record = (JSON.parse(readFileSync(path.join(dir, 'dist/manifest.json'), 'utf8')) as Manifest).artifacts[0]!;
    expect(record.image).toBeNull();
    expect((await zipEntries(path.join(dir, 'dist/plain-x86_64.zip'))).sort()).toEqual(['index.js', 'package.json']);
  });
});
