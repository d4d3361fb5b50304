// The compiler cache on a compile-bound install: better-sqlite3 12.9.0 + lodash
// (bench/projects/better-sqlite3; prebuild-install's download fails offline, so node-gyp compiles
// SQLite's amalgamation), x86_64, measured side by side in one run:
//   cold     the project as it is, with an empty compiler cache (this image's ccache directory
//            removed from the engine's cache volume) and an empty dependency cache;
//   warm     a lockfile change that leaves better-sqlite3 alone (ms 2.1.3 added: the install key
//            changes, so npm ci and node-gyp run again) with the compiler cache the cold build filled;
//   off      the same change with compilerCache: false and a dependency cache of its own.
// An untimed build first warms npm's download cache (so every column downloads the same nothing)
// and names the ccache directory to empty. Each build has its own LAMBDA_PACK_CACHE_DIR and output.
// Usage: npm run build && node bench/compiler-cache.mjs [--runs N]   → "## Compiler cache" in bench/RESULTS.md
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(repo, 'dist/cli/main.js');
const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 1;
const work = path.join(repo, 'bench/.work/compiler-cache');
const project = path.join(work, 'project');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (ms) => `${(ms / 1000).toFixed(1)} s`;
const SUMMARY = /db-x86_64 \| lambda-pack: compiler cache: (\d+) hits, (\d+) misses, (\d+) recompiled \(ccache in (\S+)\)/;

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', ...options });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${(result.stderr ?? '').slice(-3000)}`);
  return result;
}

/** One x86_64 build of the project copy; wall time, the zip's sha256, what ccache said and the build image. */
function build(label, args = []) {
  const out = path.join(work, 'out', label);
  const started = Date.now();
  const result = run('node', [cli, 'build', '--arch', 'x86_64', '--out', out, '--verbose', ...args], {
    cwd: project, env: { ...process.env, CI: 'true', LAMBDA_PACK_CACHE_DIR: path.join(work, 'cache', label) },
  });
  const ms = Date.now() - started;
  const record = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8')).artifacts[0];
  if (record.action !== 'rebuild' || record.cacheHit) throw new Error(`${label}: expected an install, got ${record.action}`);
  const found = SUMMARY.exec(result.stderr);
  return {
    ms, image: record.image, sha256: createHash('sha256').update(readFileSync(path.join(out, record.path))).digest('hex'),
    ccache: found ? { hits: Number(found[1]), misses: Number(found[2]), dir: found[4] } : undefined,
  };
}

/** Removes a ccache directory from the engine's x86_64 cache volume, in the build image itself. */
function emptyCompilerCache(image, dir) {
  run('docker', ['run', '--rm', '--network', 'none', '--platform', 'linux/amd64', '-v', 'lambda-pack-cache-x86_64:/lambda-pack-cache', '--entrypoint', 'rm', image, '-rf', dir]);
}

function fresh() {
  rmSync(work, { recursive: true, force: true });
  cpSync(path.join(repo, 'bench/projects/better-sqlite3'), project, { recursive: true });
}

/** The lockfile change: ms 2.1.3 added beside better-sqlite3 and lodash, locked by npm on the host. */
function changeLockfile() {
  run('npm', ['install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund', 'ms@2.1.3'], { cwd: path.join(project, 'function') });
  writeFileSync(path.join(project, 'off.config.yaml'), `compilerCache: false\n${readFileSync(path.join(project, 'lambda-pack.config.yaml'), 'utf8')}`);
}

const rows = [];
for (let i = 0; i < runs; i++) {
  fresh();
  const probe = build('probe');
  if (!probe.ccache) throw new Error('the build printed no compiler cache summary: is ccache in the local nodejs22.x image? (lambda-pack images build)');
  emptyCompilerCache(probe.image, probe.ccache.dir);
  const cold = build('cold');
  changeLockfile();
  const warm = build('warm');
  const off = build('off', ['--config', 'off.config.yaml']);
  rows.push({ cold, warm, off });
}

const m = (key) => median(rows.map((r) => r[key].ms));
const last = rows.at(-1);
console.log(`Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown'}; ${new Date().toISOString()}; load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}. ${runs} run(s), median.\n`);
console.log('| better-sqlite3 12.9.0 + lodash, x86_64 | cold, empty compiler cache | lockfile change (+ ms), warm compiler cache | same change, compilerCache: false | warm / cold | zips of the change, warm vs off |');
console.log('|---|---|---|---|---|---|');
console.log(`| bench/projects/better-sqlite3 | ${fmt(m('cold'))} (ccache: ${last.cold.ccache?.misses ?? '?'} misses) | ${fmt(m('warm'))} (ccache: ${last.warm.ccache?.hits ?? '?'} hits, ${last.warm.ccache?.misses ?? '?'} misses) | ${fmt(m('off'))} | ${(m('warm') / m('cold')).toFixed(2)}× | ${last.warm.sha256 === last.off.sha256 ? 'same bytes' : `differ (${last.warm.sha256.slice(0, 12)} vs ${last.off.sha256.slice(0, 12)})`} |`);
rmSync(work, { recursive: true, force: true });
