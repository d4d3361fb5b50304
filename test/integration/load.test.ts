// Load (issue 6): a generated project of 50 functions × 2 architectures — 46 packaged as they are,
// 4 npm functions sharing one lockfile — is planned, built with a warm dependency cache and
// verified, with bounded memory and no leaked containers, temp dirs or file descriptors.
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../helpers/cli.js';
import { lambdaPackContainers, requireEngine } from '../helpers/docker.js';
import { tempProject } from '../helpers/project.js';
import { OWNER_LABEL } from '../../src/docker/container.js';
import type { Manifest } from '../../src/package/manifest.js';

const COPY_FUNCTIONS = 46;
const NPM_FUNCTIONS = 4;
const ARCHES = ['x86_64', 'arm64'] as const;
const TASKS = (COPY_FUNCTIONS + NPM_FUNCTIONS) * ARCHES.length;
/** Peak RSS allowed for the CLI; it measured ~145 MiB for the 100-task build on the 2-CPU, 24 GiB machine. */
const PEAK_RSS_LIMIT_MIB = 400;

const copyNames = Array.from({ length: COPY_FUNCTIONS }, (_, i) => `fn${String(i + 1).padStart(2, '0')}`);
const npmNames = Array.from({ length: NPM_FUNCTIONS }, (_, i) => `npm${i + 1}`);

/** One function's sources: a handler, a few modules and some data, different for each. */
function copyFunction(name: string): Record<string, string> {
  const files: Record<string, string> = {
    [`functions/${name}/index.js`]: `const util = require('./lib/util0');\nexports.handler = async () => ({ name: ${JSON.stringify(name)}, value: util.value });\n`,
    [`functions/${name}/data.json`]: JSON.stringify(Array.from({ length: 400 }, (_, i) => ({ id: i, fn: name, text: `row ${i} of ${name}` }))),
  };
  for (let i = 0; i < 8; i++) files[`functions/${name}/lib/util${i}.js`] = `exports.value = ${JSON.stringify(`${name}-${i}`)};\n`.repeat(20);
  return files;
}

const PACKAGE = JSON.stringify({ name: 'load-npm', version: '1.0.0', private: true, dependencies: { ms: '2.1.3' } }, null, 2);
const LOCK = JSON.stringify({
  name: 'load-npm', version: '1.0.0', lockfileVersion: 3, requires: true,
  packages: {
    '': { name: 'load-npm', version: '1.0.0', dependencies: { ms: '2.1.3' } },
    'node_modules/ms': { version: '2.1.3', integrity: 'sha512-6FlzubTLZG3J2a/NVCAleEhjzq5oxgHyaCU9yYXvcLsvoVaHJq/s5xXI6/XXP6tz7R9xAOtHnSO/tXtF3WRTlA==', license: 'MIT' },
  },
}, null, 2);

function npmFunction(name: string): Record<string, string> {
  return {
    [`functions/${name}/index.js`]: `const ms = require('ms');\nexports.handler = async () => ({ name: ${JSON.stringify(name)}, day: ms('1d') });\n`,
    [`functions/${name}/package.json`]: PACKAGE,
    [`functions/${name}/package-lock.json`]: LOCK,
  };
}

const config = [
  // The load check has its own tests; a hundred of them would make this one about it.
  'imageSet: local', 'certificates: system', 'loadCheck: false', 'architectures: [x86_64, arm64]', 'functions:',
  ...[...copyNames, ...npmNames].map((name) => `  ${name}: { runtime: nodejs22.x, source: functions/${name}, handler: index.handler }`),
].join('\n');

const project = tempProject({ 'lambda-pack.config.yaml': `${config}\n`, ...Object.assign({}, ...copyNames.map(copyFunction), ...npmNames.map(npmFunction)) });
const cacheDir = path.join(project.root, 'cache');
const dist = path.join(project.root, 'dist');
/** The CLI's own TMPDIR: whatever it leaves there, it leaked. */
const cliTmp = path.join(project.root, 'tmp');
mkdirSync(cliTmp);
const env = { LAMBDA_PACK_CACHE_DIR: cacheDir, TMPDIR: cliTmp };

interface Sample { readonly fds: number; readonly zips: number; readonly tmpEntries: number }
interface Observed {
  exitCode: number; stdout: string; stderr: string; pid: number; peakRssKiB: number; samples: Sample[];
  /** Containers this process created, from the engine's events (they may be gone by now). */
  containersCreated: number;
}

function readProc(pid: number): { fds: number; hwmKiB: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return { fds: readdirSync(`/proc/${pid}/fd`).length, hwmKiB: Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1] ?? 0) };
  } catch { return undefined; } // it has exited
}

/**
 * Runs the compiled CLI and watches it from outside every 25 ms: open file descriptors
 * (/proc/<pid>/fd), peak RSS (VmHWM, the kernel's high-water mark, which only grows), zips written
 * so far and entries in its TMPDIR.
 */
async function observed(args: readonly string[]): Promise<Observed> {
  const since = Math.floor(Date.now() / 1000);
  const child = execa('node', [CLI, ...args], { cwd: project.root, reject: false, env: { CI: 'true', ...env } });
  const pid = child.pid!;
  const samples: Sample[] = [];
  let peakRssKiB = 0;
  const timer = setInterval(() => {
    const proc = readProc(pid);
    if (!proc) return;
    peakRssKiB = Math.max(peakRssKiB, proc.hwmKiB);
    const zips = readdirSafe(dist).filter((f) => f.endsWith('.zip')).length;
    samples.push({ fds: proc.fds, zips, tmpEntries: readdirSafe(cliTmp).length });
  }, 25);
  const result = await child;
  clearInterval(timer);
  const events = await execa('docker', ['events', '--since', String(since), '--until', String(Math.ceil(Date.now() / 1000) + 1),
    '--filter', 'type=container', '--filter', 'event=create', '--filter', `label=${OWNER_LABEL}=${os.hostname()}/${pid}`, '--format', '{{.ID}}']);
  return {
    exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr), pid, peakRssKiB,
    samples: samples.filter((s) => s.fds > 0), containersCreated: events.stdout.split('\n').filter(Boolean).length,
  };
}

function readdirSafe(dir: string): string[] {
  try { return readdirSync(dir); } catch { return []; }
}

/** Containers whose owner label names one of these CLI processes (other suites may run meanwhile). */
async function ownedBy(ids: readonly string[], pids: readonly number[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const { stdout } = await execa('docker', ['inspect', '--format', `{{.Id}} {{index .Config.Labels "${OWNER_LABEL}"}}`, ...ids], { reject: false });
  const owners = new Set(pids.map((pid) => `${os.hostname()}/${pid}`));
  return stdout.split('\n').filter((line) => owners.has(line.split(' ')[1] ?? ''));
}

const pids: number[] = [];
let containersBefore: string[];
let tempBefore: string[];
let build: Observed;

/** New /tmp/lambda-pack-* entries named after one of this project's tasks (other suites may run meanwhile). */
function tempLeftovers(): string[] {
  const ours = new RegExp(`^lambda-pack-.*-(${[...copyNames, ...npmNames].join('|')})-(${ARCHES.join('|')})-`);
  return readdirSync(os.tmpdir()).filter((f) => !tempBefore.includes(f) && ours.test(f));
}

beforeAll(async () => {
  await requireEngine();
  containersBefore = await lambdaPackContainers();
  tempBefore = readdirSync(os.tmpdir());
  // Warm the dependency cache: the npm functions once per architecture, into another directory.
  const warm = await observed(['build', ...npmNames, '--out', path.join(project.root, 'warm')]);
  pids.push(warm.pid);
  expect(warm.exitCode, warm.stderr).toBe(0);
  expect(warm.containersCreated).toBeGreaterThan(0);
}, 600_000);

afterAll(() => project.remove());

describe(`a project of ${COPY_FUNCTIONS + NPM_FUNCTIONS} functions × ${ARCHES.length} architectures`, () => {
  it('plans every task, the npm ones from the warm cache', async () => {
    const plan = await observed(['plan', '--json']);
    pids.push(plan.pid);
    expect(plan.exitCode, plan.stderr).toBe(0);
    const tasks = JSON.parse(plan.stdout).tasks as { id: string; builder: string; action: string; reason: string }[];
    expect(tasks).toHaveLength(TASKS);
    expect(new Set(tasks.map((t) => t.id)).size).toBe(TASKS);
    const npm = tasks.filter((t) => t.builder === 'npm');
    expect(npm).toHaveLength(NPM_FUNCTIONS * ARCHES.length);
    for (const t of npm) expect(t.reason, t.id).toContain('dependencies from the cache');
    expect(tasks.filter((t) => t.builder === 'copy').every((t) => t.action === 'repackage')).toBe(true);
  }, 120_000);

  it('builds all of them without a container, in bounded memory', async () => {
    const small = await observed(['build', copyNames[0]!, '--out', path.join(project.root, 'small'), '--json']);
    pids.push(small.pid);
    expect(small.exitCode, small.stderr).toBe(0);
    build = await observed(['build', '--json']);
    pids.push(build.pid);
    expect(build.exitCode, build.stderr).toBe(0);
    const report = JSON.parse(build.stdout) as { ok: boolean; artifacts: { action: string; cacheHit: boolean; builder: string }[] };
    expect(report.ok).toBe(true);
    expect(report.artifacts).toHaveLength(TASKS);
    expect(report.artifacts.filter((a) => a.builder === 'npm').every((a) => a.cacheHit && a.action === 'repackage')).toBe(true);
    expect(readdirSync(dist).filter((f) => f.endsWith('.zip'))).toHaveLength(TASKS);
    const manifest = JSON.parse(readFileSync(path.join(dist, 'manifest.json'), 'utf8')) as Manifest;
    expect(manifest.artifacts).toHaveLength(TASKS);
    const zipping = build.samples.filter((s) => s.zips > 0).map((s) => s.fds);
    console.log(`load: build of ${TASKS} tasks, peak RSS ${(build.peakRssKiB / 1024).toFixed(0)} MiB (one function, 2 tasks: ${(small.peakRssKiB / 1024).toFixed(0)} MiB), ` +
      `fds ${Math.min(...zipping)}–${Math.max(...zipping)} while zipping (${Math.max(...build.samples.map((s) => s.fds))} at most overall), ${build.samples.length} samples`);
    expect(build.containersCreated).toBe(0);
    expect(build.peakRssKiB / 1024).toBeLessThan(PEAK_RSS_LIMIT_MIB);
    // Bounded: 50 times the tasks of a one-function build, well under twice its memory.
    expect(build.peakRssKiB).toBeLessThan(2 * small.peakRssKiB);
  }, 600_000);

  it('does not accumulate file descriptors as tasks finish', () => {
    // Watched while the zips appeared: a descriptor leaked per task would add up to ~100. (Before
    // the first task, any command briefly holds ~100 while Node loads its modules: not counted.)
    const during = build.samples.filter((s) => s.zips > 0);
    expect(during.length).toBeGreaterThan(10);
    const early = during.filter((s) => s.zips <= TASKS / 4).map((s) => s.fds);
    const late = during.filter((s) => s.zips >= (TASKS * 3) / 4).map((s) => s.fds);
    expect(early.length).toBeGreaterThan(0);
    expect(late.length).toBeGreaterThan(0);
    expect(Math.max(...late)).toBeLessThanOrEqual(Math.max(...early) + 8);
    expect(Math.max(...during.map((s) => s.fds))).toBeLessThan(TASKS);
  });

  it('verifies every zip it wrote', async () => {
    for (const arch of ARCHES) {
      const zips = readdirSync(dist).filter((f) => f.endsWith(`-${arch}.zip`)).map((f) => path.join(dist, f));
      expect(zips).toHaveLength(TASKS / ARCHES.length);
      const verify = await observed(['verify', ...zips, '--runtime', 'nodejs22.x', '--arch', arch, '--handler', 'index.handler', '--json']);
      pids.push(verify.pid);
      expect(verify.exitCode, verify.stderr).toBe(0);
      expect(verify.peakRssKiB / 1024).toBeLessThan(PEAK_RSS_LIMIT_MIB);
      console.log(`load: verify of ${zips.length} ${arch} zips, peak RSS ${(verify.peakRssKiB / 1024).toFixed(0)} MiB`);
    }
  }, 300_000);

  it('leaves no container, no temp dir and nothing in its TMPDIR', async () => {
    const newContainers = (await lambdaPackContainers()).filter((c) => !containersBefore.includes(c));
    expect(await ownedBy(newContainers, pids)).toEqual([]);
    // The build used its TMPDIR (one work dir per task) and emptied it.
    expect(Math.max(...build.samples.map((s) => s.tmpEntries))).toBeGreaterThan(0);
    expect(readdirSync(cliTmp)).toEqual([]);
    expect(tempLeftovers()).toEqual([]);
  });
});
