// Incremental builds on the real engine: nothing changed → reuse without containers; source
// changed → re-package without containers; dependency inputs changed → only that task reinstalls.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lambdaPack, REPO } from '../helpers/cli.js';
import { requireEngine } from '../helpers/docker.js';
import type { Manifest } from '../../src/package/manifest.js';
import { PURPOSE_LABEL } from '../../src/docker/container.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'lambda-pack-incremental-'));
const cacheDir = path.join(dir, 'cache');

function manifest(out = path.join(dir, 'dist')): Manifest {
  return JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8'));
}

function actions(out?: string): Record<string, string> {
  return Object.fromEntries(manifest(out).artifacts.map((a) => [`${a.name}-${a.arch}`, a.action]));
}

/** Builds and counts the install containers lambda-pack created meanwhile (engine events; load checks are not installs). */
async function build(args: string[] = []): Promise<{ exitCode: number; stderr: string; containers: number; ms: number }> {
  const since = Math.floor(Date.now() / 1000);
  const result = await lambdaPack(['build', ...args], { cwd: dir, env: { LAMBDA_PACK_CACHE_DIR: cacheDir } });
  const until = Math.ceil(Date.now() / 1000) + 1;
  const { stdout } = await execa('docker', ['events', '--since', String(since), '--until', String(until), '--filter', 'type=container', '--filter', 'event=create', '--filter', `label=${PURPOSE_LABEL}=install`, '--format', '{{.ID}}']);
  return { ...result, containers: stdout.split('\n').filter(Boolean).length };
}

beforeAll(async () => {
  await requireEngine();
  for (const name of ['a', 'b']) {
    cpSync(path.join(REPO, 'fixtures/node-native/function'), path.join(dir, name), { recursive: true, filter: (src) => !src.endsWith('node_modules') });
  }
  // Identical inputs would share one cache entry (content-addressed): make b's differ.
  const pkg = JSON.parse(readFileSync(path.join(dir, 'b/package.json'), 'utf8'));
  writeFileSync(path.join(dir, 'b/package.json'), JSON.stringify({ ...pkg, name: 'b' }, null, 2));
  writeFileSync(path.join(dir, 'lambda-pack.config.yaml'), [
    'imageSet: local', 'certificates: system', 'architectures: [x86_64, arm64]', 'functions:',
    '  a: { runtime: nodejs22.x, source: a, handler: index.handler, exclude: ["native/**"] }',
    '  b: { runtime: nodejs22.x, source: b, handler: index.handler, exclude: ["native/**"], architectures: [x86_64] }',
  ].join('\n'));
  const first = await build();
  expect(first.exitCode, first.stderr).toBe(0);
  expect(actions()).toEqual({ 'a-x86_64': 'rebuild', 'a-arm64': 'rebuild', 'b-x86_64': 'rebuild' });
}, 600_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('incremental builds', () => {
  it('reuses every zip without a container when nothing changed', async () => {
    const before = manifest();
    const again = await build();
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.containers).toBe(0);
    expect(actions()).toEqual({ 'a-x86_64': 'reuse', 'a-arm64': 'reuse', 'b-x86_64': 'reuse' });
    expect(manifest().artifacts.map((a) => a.sha256)).toEqual(before.artifacts.map((a) => a.sha256));
  }, 60_000);

  it('shows the decision and its reason in the plan', async () => {
    const result = await lambdaPack(['plan', '--json'], { cwd: dir, env: { LAMBDA_PACK_CACHE_DIR: cacheDir } });
    expect(result.exitCode, result.stderr).toBe(0);
    const tasks = JSON.parse(result.stdout).tasks as { id: string; action: string; reason: string }[];
    expect(tasks.map((t) => [t.id, t.action, t.reason])).toEqual([
      ['a-x86_64', 'reuse', 'nothing changed since the last build'],
      ['a-arm64', 'reuse', 'nothing changed since the last build'],
      ['b-x86_64', 'reuse', 'nothing changed since the last build'],
    ]);
  });

  it("re-packages only the changed function, without a container, when its code changes", async () => {
    const before = manifest();
    writeFileSync(path.join(dir, 'a/index.js'), `${readFileSync(path.join(dir, 'a/index.js'), 'utf8')}// changed\n`);
    const plan = JSON.parse((await lambdaPack(['plan', '--json'], { cwd: dir, env: { LAMBDA_PACK_CACHE_DIR: cacheDir } })).stdout);
    expect(plan.tasks[0]).toMatchObject({ action: 'repackage', reason: 'source changed; dependencies from the cache' });
    const result = await build();
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.containers).toBe(0);
    expect(actions()).toEqual({ 'a-x86_64': 'repackage', 'a-arm64': 'repackage', 'b-x86_64': 'reuse' });
    const sha = (m: Manifest, id: string) => m.artifacts.find((x) => `${x.name}-${x.arch}` === id)!.sha256;
    expect(sha(manifest(), 'a-x86_64')).not.toBe(sha(before, 'a-x86_64'));
    expect(sha(manifest(), 'b-x86_64')).toBe(sha(before, 'b-x86_64'));
  }, 120_000);

  it('reinstalls only the function and architecture whose dependency inputs changed', async () => {
    const pkg = JSON.parse(readFileSync(path.join(dir, 'b/package.json'), 'utf8'));
    writeFileSync(path.join(dir, 'b/package.json'), JSON.stringify({ ...pkg, description: 'changed' }, null, 2));
    const result = await build();
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.containers).toBe(1);
    expect(actions()).toEqual({ 'a-x86_64': 'reuse', 'a-arm64': 'reuse', 'b-x86_64': 'rebuild' });
  }, 300_000);

  it('gives the same bytes at concurrency 1 and 2, and with --no-cache', async () => {
    const one = path.join(dir, 'out-1');
    const two = path.join(dir, 'out-2');
    const fresh = path.join(dir, 'out-fresh');
    expect((await build(['--concurrency', '1', '--out', one])).exitCode).toBe(0);
    expect((await build(['--concurrency', '2', '--out', two])).exitCode).toBe(0);
    expect((await build(['--no-cache', '--arch', 'x86_64', 'b', '--out', fresh])).exitCode).toBe(0);
    const shas = (out: string) => Object.fromEntries(manifest(out).artifacts.map((a) => [a.path, a.sha256]));
    expect(shas(one)).toEqual(shas(two));
    expect(shas(fresh)['b-x86_64.zip']).toBe(shas(one)['b-x86_64.zip']);
  }, 600_000);
});
