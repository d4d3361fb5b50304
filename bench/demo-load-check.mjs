// What the load check adds to a whole build of the demo (22 artifacts, 16 of them functions that
// are checked), side by side in one run: the same repackage (warm dependency cache, fresh output
// directory) with --no-load-check, then with the check cold (the runtime stand-in images removed
// first, so they are built; the node-ric helper stays) and warm. Per architecture, the sum of the
// manifest's loadCheckMs.
// Usage: npm run build && node bench/demo-load-check.mjs   → the "## load check on the demo" section of bench/RESULTS.md
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(repo, 'dist/cli/main.js');
const demo = path.join(repo, 'fixtures/demo');
const work = path.join(repo, 'bench/.work/demo-load-check');

function run(args) {
  const started = Date.now();
  const result = spawnSync('node', [cli, ...args], { cwd: demo, env: { ...process.env, CI: 'true' }, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`lambda-pack ${args.join(' ')} failed (${result.status}):\n${result.stderr.slice(-2000)}`);
  return { ms: Date.now() - started, stderr: result.stderr };
}

function build(label, extra) {
  const out = path.join(work, label);
  rmSync(out, { recursive: true, force: true });
  const { ms } = run(['build', '--out', out, ...extra]);
  const records = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8')).artifacts;
  const check = (arch) => records.filter((r) => r.arch === arch).reduce((n, r) => n + (r.loadCheckMs ?? 0), 0);
  return { label, ms, x86: check('x86_64'), arm: check('arm64') };
}

run(['build', '--out', path.join(work, 'warm-up')]); // the dependency cache, warm for every row
const standIns = run(['images', 'build']).stderr.split('\n').filter((l) => l.startsWith('runtime-')).map((l) => l.split(': ')[1]);
const rows = [build('no load check', ['--no-load-check'])];
spawnSync('docker', ['image', 'rm', ...standIns], { encoding: 'utf8' });
rows.push(build('load check, cold', []));
rows.push(build('load check, warm', []));
const s = (ms) => `${(ms / 1000).toFixed(1)} s`;
console.log('| build | wall time | load check x86_64 (sum of 8) | load check arm64 (sum of 8, qemu) |\n|---|---|---|---|');
for (const r of rows) console.log(`| ${r.label} | ${s(r.ms)} | ${r.x86 ? s(r.x86) : '—'} | ${r.arm ? s(r.arm) : '—'} |`);
