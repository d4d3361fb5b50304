// arm64 with the official images (imageSet: official, the default): bcrypt 5.1.1 (node-gyp) and
// Lua 5.4.4 (make) for arm64 cross-compiled on images/official-cross (zig behind Debian's cross
// names) against the same build emulated on the official arm64 image, beside x86_64 native; and
// the recipe image's first build (the pull excepted). The SAM and Lambda images cannot be pulled
// here, so the local images stand in under the official names for this script only, as in
// test/integration/official-cross.test.ts (Debian bookworm, not AL2023).
// Usage: npm run build && node bench/official-cross.mjs   → "## arm64 cross-compile on the official images" in bench/RESULTS.md
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fetchLua } from './lib/lua.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(repo, 'dist/cli/main.js');
const work = path.join(repo, 'bench/.work/official-cross');
const fmt = (ms) => `${(ms / 1000).toFixed(1)} s`;
const docker = (...args) => spawnSync('docker', args, { encoding: 'utf8' });
const local = (repository, arch) => docker('image', 'ls', '--format', '{{.Repository}}:{{.Tag}}', repository).stdout.split('\n').find((r) => r.includes(`:${arch}-`));

const STAND_INS = {
  'public.ecr.aws/sam/build-nodejs22.x:latest-x86_64': local('lambda-pack-local/nodejs22.x', 'x86_64'),
  'public.ecr.aws/sam/build-nodejs22.x:latest-arm64': local('lambda-pack-local/nodejs22.x', 'arm64'),
  'public.ecr.aws/lambda/nodejs:22-x86_64': local('lambda-pack-local/runtime-nodejs22.x', 'x86_64'),
  'public.ecr.aws/lambda/nodejs:22-arm64': local('lambda-pack-local/runtime-nodejs22.x', 'arm64'),
  'public.ecr.aws/sam/build-provided.al2023:latest-x86_64': local('lambda-pack-local/provided.al2023', 'x86_64'),
  'public.ecr.aws/sam/build-provided.al2023:latest-arm64': local('lambda-pack-local/provided.al2023', 'arm64'),
  'public.ecr.aws/lambda/provided:al2023-x86_64': local('lambda-pack-local/runtime-provided.al2023', 'x86_64'),
  'public.ecr.aws/lambda/provided:al2023-arm64': local('lambda-pack-local/runtime-provided.al2023', 'arm64'),
};
for (const [official, stand] of Object.entries(STAND_INS)) {
  if (!stand) throw new Error(`no local image to stand in for ${official}: run bash scripts/setup-machine.sh`);
  if (docker('image', 'inspect', official).status === 0) throw new Error(`${official} is on this engine already; this script only stands in for missing official images`);
}
const cases = [
  { row: 'nodejs22.x + bcrypt 5.1.1 (node-gyp; fixtures/node-bcrypt)', project: 'fixtures/node-bcrypt', name: 'hasher', recipe: 'lambda-pack/cross-nodejs22.x' },
  { row: 'provided.al2023: Lua 5.4.4 via `make linux` (bench/projects/lua)', project: 'bench/projects/lua', name: 'lua', recipe: 'lambda-pack/cross-provided.al2023' },
];
fetchLua(repo);

/** One cold build with the official image set: its wall time and record. */
function build(c, args) {
  const config = path.join(repo, c.project, `lambda-pack.official-bench-${process.pid}.yaml`);
  writeFileSync(config, readFileSync(path.join(repo, c.project, 'lambda-pack.config.yaml'), 'utf8').replace(/^imageSet: local\n/m, 'officialCrossToolchain: zig\n'));
  const out = path.join(work, 'out');
  rmSync(out, { recursive: true, force: true });
  const started = Date.now();
  const result = spawnSync('node', [cli, 'build', c.name, '--no-cache', '--config', config, '--out', out, ...args], { cwd: path.join(repo, c.project), env: { ...process.env, CI: 'true', LAMBDA_PACK_CACHE_DIR: path.join(work, 'cache') }, encoding: 'utf8' });
  const ms = Date.now() - started;
  rmSync(config, { force: true });
  if (result.status !== 0) throw new Error(`${c.project} ${args.join(' ')} failed:\n${result.stderr.slice(-3000)}`);
  return { ms, record: JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8')).artifacts.find((a) => a.name === c.name) };
}

const lines = ['## arm64 cross-compile on the official images', '',
  `Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, x86_64 host, arm64 under qemu-user; Node ${process.version}; ${new Date().toISOString()}; load average at the start ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}.`,
  'Command: `npm run build && node bench/official-cross.mjs`. imageSet official with the local images standing in under the official names (not AL2023). Cold builds (`--no-cache`), the columns of a row in turn within one run. "first" is the first cross build, which also builds the recipe\'s image from scratch (npm pack of zig, 73 MB; zig building the target\'s libc++ once); "again" is a cold build with the image there.', '',
  '| function | x86_64 | arm64 cross, first (image built) | arm64 cross, again | arm64 emulated | again / x86_64 | emulated / x86_64 |', '|---|---|---|---|---|---|---|'];
try {
  for (const [official, stand] of Object.entries(STAND_INS)) docker('tag', stand, official);
  for (const c of cases) {
    for (const ref of docker('image', 'ls', '--format', '{{.Repository}}:{{.Tag}}', c.recipe).stdout.split('\n').filter(Boolean)) docker('image', 'rm', ref);
    const native = build(c, ['--arch', 'x86_64']);
    const first = build(c, ['--arch', 'arm64']);
    const again = build(c, ['--arch', 'arm64']);
    const emulated = build(c, ['--arch', 'arm64', '--strategy', 'emulated']);
    for (const [what, r] of [['first', first], ['again', again]]) {
      if (r.record.strategy !== 'cross' || r.record.fallback) throw new Error(`${c.row}: the ${what} arm64 build was not cross: ${r.record.fallback ?? r.record.strategy}`);
    }
    lines.push(`| ${c.row} | ${fmt(native.ms)} | ${fmt(first.ms)} | ${fmt(again.ms)} | ${fmt(emulated.ms)} | ${(again.ms / native.ms).toFixed(2)}× | ${(emulated.ms / native.ms).toFixed(1)}× |`);
    console.log(lines.at(-1));
  }
} finally {
  for (const official of Object.keys(STAND_INS)) docker('image', 'rm', official);
  rmSync(work, { recursive: true, force: true });
}
lines.push('', 'Reading it: every arm64 cross build passed its proof (verify, then the load check on arm64); the script', 'fails otherwise. What the real AL2023 images would add is untested here: their pull, and their own gcc for', 'the host side of node-gyp builds.');
const results = path.join(repo, 'bench/RESULTS.md');
const existing = readFileSync(results, 'utf8');
const rest = existing.replace(/## arm64 cross-compile on the official images\n[\s\S]*?(?=\n## |$)/, '').trimEnd();
writeFileSync(results, `${rest}\n\n${lines.join('\n')}\n`);
console.log(`written to ${results}`);
