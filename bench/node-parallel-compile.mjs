// node-gyp's parallel compile: better-sqlite3 + lodash (bench/projects/better-sqlite3) built cold
// (--no-cache) for x86_64 with lambda-pack's JOBS=max and with JOBS=1 (serial.config.yaml, the
// config's env winning), one run each, and whether the two zips are the same bytes. The arm64
// cross and emulated columns of the same project are bench/cross-compile.mjs's.
// Usage: npm run build && node bench/node-parallel-compile.mjs   → a row for bench/RESULTS.md
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(repo, 'dist/cli/main.js');
const project = path.join(repo, 'bench/projects/better-sqlite3');
const work = path.join(repo, 'bench/.work/node-parallel-compile');
const fmt = (ms) => `${(ms / 1000).toFixed(1)} s`;

/** One cold x86_64 build; its wall time and the sha256 of its zip. */
function build(name, args) {
  const out = path.join(work, name);
  const started = Date.now();
  const result = spawnSync('node', [cli, 'build', '--no-cache', '--arch', 'x86_64', '--out', out, ...args], { cwd: project, env: { ...process.env, CI: 'true' }, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${name} failed:\n${result.stderr.slice(-2000)}`);
  const ms = Date.now() - started;
  const record = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8')).artifacts[0];
  return { ms, sha256: createHash('sha256').update(readFileSync(path.join(out, record.path))).digest('hex') };
}

const parallel = build('parallel', []);
const serial = build('serial', ['--config', 'serial.config.yaml']);
console.log(`Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown'}; ${new Date().toISOString()}; load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}. One cold run each.\n`);
console.log('| better-sqlite3 12.9.0 + lodash, x86_64, cold | node-gyp JOBS=max | JOBS=1 | same zip bytes |\n|---|---|---|---|');
console.log(`| bench/projects/better-sqlite3 | ${fmt(parallel.ms)} | ${fmt(serial.ms)} | ${parallel.sha256 === serial.sha256 ? 'yes' : `no (${parallel.sha256.slice(0, 12)} vs ${serial.sha256.slice(0, 12)})`} |`);
rmSync(work, { recursive: true, force: true });
