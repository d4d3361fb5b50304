// fixtures/node-pnpm-workspace built for x86_64 and arm64 on the real engine: a TypeScript function
// bundled by esbuild with its native packages installed beside the bundle, and a plain function
// shipped with its production closure from the workspace; each invoked in a container of each
// architecture. Then the cache: another member's dependency changes nothing, a function's own
// dependency rebuilds only that function.
import { localImage } from '../helpers/pip-steps.js';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lambdaPack, REPO } from '../helpers/cli.js';
import { requireEngine, runInContainer } from '../helpers/docker.js';
import { pnpm } from '../helpers/node-tools.js';
import { elfMachine, extractZip, zipEntries } from '../helpers/zip.js';

const ARCHES = [{ arch: 'x86_64', machine: 62, node: 'x64' }, { arch: 'arm64', machine: 183, node: 'arm64' }] as const;
const project = mkdtempSync(path.join(os.tmpdir(), 'lambda-pack-pnpm-ws-'));
const out = path.join(project, 'dist');

async function invoke(name: string, arch: string, handlerModule: string): Promise<Record<string, unknown>> {
  const dir = await extractZip(path.join(out, `${name}-${arch}.zip`));
  try {
    const stdout = await runInContainer(await localImage('nodejs22.x', arch as 'x86_64'), arch as 'x86_64', dir, '/var/task',
      `cd /tmp && node -e 'require("/var/task/${handlerModule}").handler({ numbers: [3, 4], text: "hello" }).then((r) => console.log(JSON.stringify(r)))'`);
    return JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, unknown>;
  } finally { rmSync(dir, { recursive: true, force: true }); }
}

async function plannedActions(): Promise<Record<string, string>> {
  const result = await lambdaPack(['plan', '--json'], { cwd: project });
  expect(result.exitCode, result.stderr).toBe(0);
  return Object.fromEntries((JSON.parse(result.stdout).tasks as { id: string; action: string }[]).map((t) => [t.id, t.action]));
}

beforeAll(async () => {
  await requireEngine();
  cpSync(path.join(REPO, 'fixtures/node-pnpm-workspace'), project, { recursive: true, filter: (src) => !/node_modules|\/dist$/.test(src) });
  // As its developer would: the workspace installed on this machine (esbuild bundles against it).
  await pnpm(project, ['install', '--frozen-lockfile', '--ignore-scripts']);
  const result = await lambdaPack(['build', '--json'], { cwd: project });
  expect(result.exitCode, result.stderr).toBe(0);
}, 900_000);

afterAll(() => rmSync(project, { recursive: true, force: true }));

describe('a TypeScript function of a pnpm workspace, bundled by esbuild', () => {
  it.each(ARCHES)('ships the bundle and, in node_modules, only the native packages, built for $arch', async ({ arch, machine, node }) => {
    const entries = await zipEntries(path.join(out, `api-${arch}.zip`));
    expect(entries.filter((e) => !e.startsWith('node_modules/') && !e.endsWith('/'))).toEqual(['src/index.js', 'src/index.js.map']);
    const packages = new Set(entries.filter((e) => e.startsWith('node_modules/')).map((e) => e.split('/').slice(1, e.startsWith('node_modules/@') ? 3 : 2).join('/')).filter((p) => p && !p.endsWith('/')));
    expect([...packages].sort()).toEqual(['@node-rs/crc32', `@node-rs/crc32-linux-${node}-gnu`, 'native-sum']);
    const dir = await extractZip(path.join(out, `api-${arch}.zip`));
    try {
      for (const file of entries.filter((e) => e.endsWith('.node'))) expect(await elfMachine(path.join(dir, file)), file).toBe(machine);
      const map = JSON.parse(readFileSync(path.join(dir, 'src/index.js.map'), 'utf8')) as { sources: string[] };
      expect(map.sources).toContain('index.ts');
      expect(readFileSync(path.join(dir, 'src/index.js'), 'utf8')).not.toContain(project);
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });

  it.each(ARCHES)('answers on $arch, computing with the addon, the napi-rs package and the bundled code', async ({ arch, node }) => {
    expect(await invoke('api', arch, 'src/index.js')).toEqual({ label: 'acme:api', sumOfSquares: 25, crc32: 907060870, timeout: 120000, addonArch: arch, processArch: node });
  }, 120_000);

  it('bundles once: the same bundle bytes for both architectures', async () => {
    const [x86, arm] = await Promise.all(ARCHES.map(async ({ arch }) => {
      const dir = await extractZip(path.join(out, `api-${arch}.zip`));
      try { return readFileSync(path.join(dir, 'src/index.js')); } finally { rmSync(dir, { recursive: true, force: true }); }
    }));
    expect(x86!.equals(arm!)).toBe(true);
  });

  it('says in the plan which packages are external, and why', async () => {
    const result = await lambdaPack(['plan', '--json'], { cwd: project });
    const api = (JSON.parse(result.stdout).tasks as { id: string; details?: { bundle?: { externals: unknown[] } } }[]).find((t) => t.id === 'api-x86_64')!;
    expect(api.details!.bundle!.externals).toEqual([
      { name: '@node-rs/crc32', version: '1.10.8', reason: expect.stringMatching(/^per-platform optional packages \(@node-rs\/crc32-/), install: true },
      { name: 'native-sum', version: '1.0.0', reason: 'a binding.gyp (node-gyp builds it on install)', install: true },
    ]);
  });
});

describe('a plain function of the workspace', () => {
  it.each(ARCHES)('ships only its production closure on $arch, workspace packages as real directories', async ({ arch, machine }) => {
    const entries = await zipEntries(path.join(out, `report-${arch}.zip`));
    const top = new Set(entries.filter((e) => e.startsWith('node_modules/')).map((e) => e.split('/').slice(1, e.startsWith('node_modules/@') ? 3 : 2).join('/')).filter((p) => p && !p.endsWith('/')));
    expect([...top].sort()).toEqual(['@acme/db', 'debug', 'ms', 'native-sum']);
    expect(entries).toContain('node_modules/@acme/db/index.js');
    expect(entries.some((e) => /is-odd|is-number|@acme\/web/.test(e))).toBe(false);
    const dir = await extractZip(path.join(out, `report-${arch}.zip`));
    try {
      expect(await elfMachine(path.join(dir, 'node_modules/native-sum/build/Release/native_sum.node'))).toBe(machine);
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });

  it.each(ARCHES)('answers on $arch', async ({ arch, node }) => {
    expect(await invoke('report', arch, 'index.js')).toEqual({ label: 'acme:report', sumOfSquares: 25, timeout: 120000, addonArch: arch, processArch: node });
  }, 120_000);
});

describe('the cache of a workspace', () => {
  it('reuses every zip when another workspace package changes a dependency', async () => {
    const web = path.join(project, 'packages/web/package.json');
    writeFileSync(web, readFileSync(web, 'utf8').replace('"is-odd": "3.0.1"', '"is-odd": "3.0.0"'));
    await pnpm(project, ['install', '--lockfile-only']);
    expect(readFileSync(path.join(project, 'pnpm-lock.yaml'), 'utf8')).toContain('is-odd@3.0.0');
    expect(await plannedActions()).toEqual({ 'api-x86_64': 'reuse', 'api-arm64': 'reuse', 'report-x86_64': 'reuse', 'report-arm64': 'reuse' });
  }, 120_000);

  it('rebuilds only the function whose own dependency changed', async () => {
    const report = path.join(project, 'packages/report/package.json');
    writeFileSync(report, readFileSync(report, 'utf8').replace('"ms": "2.1.3"', '"ms": "2.1.2"'));
    await pnpm(project, ['install', '--lockfile-only']);
    const actions = await plannedActions();
    expect(actions).toMatchObject({ 'api-x86_64': 'reuse', 'api-arm64': 'reuse', 'report-x86_64': 'rebuild', 'report-arm64': 'rebuild' });
  }, 120_000);
});
