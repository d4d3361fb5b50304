// node-gyp addons for arm64 on an x86_64 machine: cold builds (--no-cache) of bcrypt
// (fixtures/node-bcrypt) and better-sqlite3 + lodash (bench/projects/node-better-sqlite3) for
// x86_64, arm64 by default (cross-compiled under the proof; its load check's time shown apart) and
// arm64 emulated, one run, the columns of a row in turn; then better-sqlite3 for x86_64 with
// node-gyp's JOBS=max and with JOBS=1, and whether the two zips are the same bytes.
// Usage: npm run build && node bench/node-cross-compile.mjs   → rows printed for bench/RESULTS.md
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(repo, 'dist/cli/main.js');
const work = path.join(repo, 'bench/.work/node-cross-compile');
const fmt = (ms) => `${(ms / 1000).toFixed(1)} s`;

/** One cold build; its wall time and the manifest record of its one artifact. */
function build(project, name, args) {
  const out = path.join(work, `${name}-${args.join('_').replace(/[^\w]+/g, '_')}`);
  const started = Date.now();
  const result = spawnSync('node', [cli, 'build', '--no-cache', '--out', out, ...args], { cwd: path.join(repo, project), env: { ...process.env, CI: 'true' }, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${project} ${args.join(' ')} failed:\n${result.stderr.slice(-2000)}`);
  const ms = Date.now() - started;
  const record = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8')).artifacts[0];
  return { ms, record, sha256: createHash('sha256').update(readFileSync(path.join(out, record.path))).digest('hex') };
}

const rows = [
  { row: 'nodejs22.x + bcrypt 5.1.1 (fixtures/node-bcrypt)', project: 'fixtures/node-bcrypt', name: 'hasher' },
  { row: 'nodejs22.x + better-sqlite3 12.9.0 + lodash (bench/projects/node-better-sqlite3)', project: 'bench/projects/node-better-sqlite3', name: 'sqlite' },
];
console.log(`Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown'}, x86_64 host, arm64 under qemu-user; ${new Date().toISOString().slice(0, 10)}. One cold run (--no-cache) per column.\n`);
console.log('| function | x86_64 | arm64 cross (of which load check) | arm64 emulated | cross / x86_64 (target ≤ 1.5×) | emulated / x86_64 |');
console.log('|---|---|---|---|---|---|');
for (const r of rows) {
  const native = build(r.project, r.name, ['--arch', 'x86_64']);
  const cross = build(r.project, r.name, ['--arch', 'arm64']);
  const emulated = build(r.project, r.name, ['--arch', 'arm64', '--strategy', 'emulated']);
  if (cross.record.strategy !== 'cross') throw new Error(`${r.row}: arm64 was built ${cross.record.strategy}${cross.record.fallback ? ` (${cross.record.fallback})` : ''}`);
  console.log(`| ${r.row} | ${fmt(native.ms)} | ${fmt(cross.ms)} (${fmt(cross.record.loadCheckMs)}) | ${fmt(emulated.ms)} | ${(cross.ms / native.ms).toFixed(2)}× | ${(emulated.ms / native.ms).toFixed(1)}× |`);
}
const sqlite = rows[1];
const parallel = build(sqlite.project, sqlite.name, ['--arch', 'x86_64']);
const serial = build(sqlite.project, sqlite.name, ['--arch', 'x86_64', '--config', 'serial.config.yaml']);
console.log('\n| better-sqlite3 x86_64, cold | node-gyp JOBS=max | JOBS=1 | same zip bytes |\n|---|---|---|---|');
console.log(`| ${sqlite.row} | ${fmt(parallel.ms)} | ${fmt(serial.ms)} | ${parallel.sha256 === serial.sha256 ? 'yes' : `no (${parallel.sha256.slice(0, 12)} vs ${serial.sha256.slice(0, 12)})`} |`);
rmSync(work, { recursive: true, force: true });
