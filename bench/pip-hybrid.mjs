// The pip hybrid against what it replaces, on fixtures/python-hybrid (arm64: quick cross-compiles,
// probe cannot): each a cold build (--no-cache) with a compiled CLI, measured in turn in one run.
//   hybrid:   this checkout, auto: the cross install fails on probe, probe is built alone
//             emulated, the cross install takes its wheel;
//   before:   another checkout's CLI without the hybrid (--before DIR, e.g. the main branch), auto:
//             the cross install fails, the whole task is rebuilt emulated;
//   emulated: this checkout, --strategy emulated (what a user would have to ask for).
// Usage: npm run build && node bench/pip-hybrid.mjs [--before /path/to/checkout]   → "## pip hybrid" in bench/RESULTS.md
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const at = process.argv.indexOf('--before');
const before = at > 0 ? path.resolve(process.argv[at + 1]) : undefined;
const fixture = path.join(repo, 'fixtures/python-hybrid');
const work = mkdtempSync(path.join(os.tmpdir(), 'lambda-pack-bench-pip-hybrid-'));

function build(label, checkout, args) {
  const out = path.join(work, label);
  const started = Date.now();
  const result = spawnSync('node', [path.join(checkout, 'dist/cli/main.js'), 'build', '--no-cache', '--out', out, ...args],
    { cwd: fixture, env: { ...process.env, CI: 'true', LAMBDA_PACK_CACHE_DIR: path.join(work, `cache-${label}`) }, encoding: 'utf8' });
  const ms = Date.now() - started;
  if (result.status !== 0) throw new Error(`${label} failed:\n${result.stderr.slice(-3000)}`);
  const record = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8')).artifacts[0];
  const how = record.hybrid ? `cross, ${record.hybrid.emulated.join(', ')} emulated alone` : record.fallback ? 'emulated (whole-task fallback)' : record.strategy;
  return { label, ms, how };
}

try {
  const rows = [build('hybrid', repo, []), ...(before ? [build('before', before, [])] : []), build('emulated', repo, ['--strategy', 'emulated'])];
  const hybrid = rows[0].ms;
  console.log('| build | how | time | vs hybrid |\n|---|---|---|---|');
  for (const row of rows) console.log(`| ${row.label} | ${row.how} | ${(row.ms / 1000).toFixed(1)} s | ${(row.ms / hybrid).toFixed(2)}× |`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
