// The compiler cache on the real engine, for each builder that compiles C: a node-gyp addon
// (fixtures/node-native), a setuptools C extension (fixtures/python-native) and a Makefile that
// hard-codes `CC = gcc` (fixtures/c-bootstrap, made like Lua's), each x86_64 native and arm64
// cross-compiled on x86_64. Each is built cold (its C source carries a string unique to this run, so no
// earlier run's results can match), warm (a fresh dependency cache, so the install runs again and
// its compiles are served from the compiler cache) and off (compilerCache: false), each build with a
// dependency cache of its own. The zips must be byte-identical, the warm build must have hit on
// every compile the cold one missed, and every build passes the load check (arm64's, the proof,
// under qemu).
import { randomBytes } from 'node:crypto';
import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lambdaPack, REPO } from '../helpers/cli.js';
import { requireEngine, runWithMounts } from '../helpers/docker.js';
import { sha256 } from '../helpers/zip.js';
import { renderScript } from '../../src/executor/script.js';
import type { Manifest } from '../../src/package/manifest.js';

const work = mkdtempSync(path.join(os.tmpdir(), 'lambda-pack-compiler-cache-'));
const RUN = randomBytes(8).toString('hex');

interface Counts { readonly hits: number; readonly misses: number; readonly recompiled: number }
interface Build { readonly zips: Record<string, string>; readonly counts: Record<string, Counts | undefined>; readonly manifest: Manifest; readonly stderr: string }

/** A copy of a fixture whose C source (`source`, relative) ends with a string unique to this run. */
function copyFixture(name: string, source: string, edit?: (root: string) => void): string {
  const root = path.join(work, name);
  cpSync(path.join(REPO, 'fixtures', name), root, { recursive: true });
  appendFileSync(path.join(root, source), `\nconst char *lambda_pack_compiler_cache_run = "${RUN}";\n`);
  edit?.(root);
  return root;
}

/** What the install script printed about the compiler cache for a task, if anything. */
function countsOf(stderr: string, task: string): Counts | undefined {
  const found = new RegExp(`${task} \\| lambda-pack: compiler cache: (\\d+) hits, (\\d+) misses, (\\d+) recompiled`).exec(stderr);
  return found ? { hits: Number(found[1]), misses: Number(found[2]), recompiled: Number(found[3]) } : undefined;
}

/** One build of `project` into an output and a dependency cache of its own. */
async function build(project: string, name: string, tasks: readonly string[], args: readonly string[] = []): Promise<Build> {
  const out = path.join(work, 'out', name);
  const result = await lambdaPack(['build', '--out', out, '--verbose', ...args], { cwd: project, env: { LAMBDA_PACK_CACHE_DIR: path.join(work, 'cache', name) } });
  expect(result.exitCode, result.stderr).toBe(0);
  const manifest: Manifest = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8'));
  const zips: Record<string, string> = {};
  const counts: Record<string, Counts | undefined> = {};
  for (const task of tasks) {
    const record = manifest.artifacts.find((a) => `${a.name}-${a.arch}` === task);
    expect(record, `${task} in ${name}`).toBeDefined();
    zips[task] = await sha256(path.join(out, record!.path));
    counts[task] = countsOf(result.stderr, task);
  }
  return { zips, counts, manifest, stderr: result.stderr };
}

/** Builds cold, warm and with the compiler cache off (the config's top-level compilerCache: false). */
async function threeWays(project: string, label: string, tasks: readonly string[], args: readonly string[] = []): Promise<Record<'cold' | 'warm' | 'off', Build>> {
  const cold = await build(project, `${label}-cold`, tasks, args);
  const warm = await build(project, `${label}-warm`, tasks, args);
  const config = path.join(project, 'lambda-pack.config.yaml');
  writeFileSync(config, `compilerCache: false\n${readFileSync(config, 'utf8')}`);
  const off = await build(project, `${label}-off`, tasks, args);
  return { cold, warm, off };
}

function expectCached(builds: Record<'cold' | 'warm' | 'off', Build>, task: string): void {
  const { cold, warm, off } = builds;
  expect(cold.counts[task], cold.stderr).toBeDefined();
  expect(cold.counts[task]!.misses, 'the cold build compiled this run\'s source').toBeGreaterThan(0);
  expect(cold.counts[task]!.hits).toBe(0);
  expect(warm.counts[task], 'the warm build hit on every compile the cold one stored').toEqual({ hits: cold.counts[task]!.misses, misses: 0, recompiled: 0 });
  expect(off.counts[task]).toBeUndefined();
  expect(off.stderr).not.toMatch(new RegExp(`${task} \\|.*(ccache|compiler cache)`));
  expect(warm.zips[task]).toBe(cold.zips[task]);
  expect(off.zips[task]).toBe(cold.zips[task]);
  // arm64 is cross-compiled on x86_64 each time: the proof passed, nothing fell back to emulation.
  if (task.endsWith('-arm64')) {
    for (const { manifest } of [cold, warm, off]) {
      const record = manifest.artifacts.find((a) => `${a.name}-${a.arch}` === task)!;
      expect(record.strategy).toBe('cross');
      expect(record.fallback).toBeUndefined();
    }
  }
}

beforeAll(async () => { await requireEngine(); });
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe.each([
  { what: 'a node-gyp addon (npm)', fixture: 'node-native', source: 'function/native/src/sum.c', name: 'native' },
  { what: 'a setuptools C extension (pip)', fixture: 'python-native', source: 'function/packages/fastmath/fastmath.c', name: 'stats' },
])('the compiler cache of $what, x86_64 native and arm64 cross', ({ fixture, source, name }) => {
  const tasks = [`${name}-x86_64`, `${name}-arm64`];
  let builds: Record<'cold' | 'warm' | 'off', Build>;
  beforeAll(async () => {
    builds = await threeWays(copyFixture(fixture, source), fixture, tasks, ['--arch', 'all']);
  }, 900_000);

  it.each(tasks)('serves the warm build of %s from the cache, and the zip is the same bytes cold, warm and off', (task) => {
    expectCached(builds, task);
  });
});

describe('the compiler cache of a Makefile with `CC = gcc` (make, x86_64 native and arm64 cross)', () => {
  const tasks = ['csquares-x86_64', 'csquares-arm64'];
  let project: string;
  let builds: Record<'cold' | 'warm' | 'off', Build>;
  beforeAll(async () => {
    project = copyFixture('c-bootstrap', 'function/lib/sumsq.c', (root) => {
      const makefile = path.join(root, 'function/Makefile');
      writeFileSync(makefile, readFileSync(makefile, 'utf8').replace('CC ?= cc', 'CC = gcc'));
    });
    builds = await threeWays(project, 'make', tasks, ['--arch', 'all']);
  }, 900_000);

  it.each(tasks)('serves the warm build of %s from the cache, and the zip is the same bytes cold, warm and off', (task) => {
    expectCached(builds, task);
  });

  it('recompiles everything with --no-cache, reading nothing from the compiler cache, to the same bytes', async () => {
    writeFileSync(path.join(project, 'lambda-pack.config.yaml'), readFileSync(path.join(project, 'lambda-pack.config.yaml'), 'utf8').replace('compilerCache: false\n', ''));
    const fresh = await build(project, 'make-fresh', ['csquares-x86_64'], ['--arch', 'x86_64', '--no-cache']);
    expect(fresh.counts['csquares-x86_64']).toEqual({ hits: 0, misses: 0, recompiled: builds.cold.counts['csquares-x86_64']!.misses });
    expect(fresh.zips['csquares-x86_64']).toBe(builds.cold.zips['csquares-x86_64']);
  }, 300_000);
});

describe('an image without ccache', () => {
  it('runs the install without the compiler cache, and says so', async () => {
    const script = renderScript([{ run: ['sh', '-c', 'echo "built with PATH=$PATH"'] }], {
      uid: 0, extraCertificates: false, compilerCache: { imageId: `sha256:${'0'.repeat(64)}`, uid: 0, fresh: false },
    });
    // The Debian base every local image is built FROM: a shell, no compiler, no ccache.
    const empty = mkdtempSync(path.join(work, 'empty-'));
    const output = await runWithMounts('lambda-pack-local/debian-base:bookworm-x86_64', 'x86_64', [{ dir: empty, target: 'input' }], script, { user: '0:0' });
    expect(output).toContain('lambda-pack: this image has no ccache (/usr/lib/ccache): compiling without the compiler cache');
    expect(output).toMatch(/built with PATH=(?!\/usr\/lib\/ccache)/);
    expect(output).not.toContain('compiler cache:');
  }, 120_000);
});
