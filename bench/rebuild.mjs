// Benchmarks of builds as users run them, with the compiled CLI (npm run build first) on a copy of
// fixtures/ under bench/.work/rebuild (the repository is never modified):
//   no-change rebuild of the demo, source-only change, cold overhead vs a hand-run baseline,
//   and 8 independent npm functions at concurrency 1 vs 2.
// Usage: node bench/rebuild.mjs [--runs N]   → writes the "## rebuilds" section of bench/RESULTS.md
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(repo, 'dist/cli/main.js');
const work = path.join(repo, 'bench/.work/rebuild');
const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 5;
const env = { ...process.env, CI: 'true' };

const NOTES = `What limits the cold-overhead row: lambda-pack's fixed cost per run, about 0.9 s here, against a
3-second install. Loading the CLI alone takes ~0.5 s (\`lambda-pack --version\` 0.5–0.6 s vs \`node -e 1\`
0.1 s, measured while the arm64 benchmark ran; zod, yaml, listr2 and, once a container must run, dockerode with its gRPC and
ssh2 dependencies), then hashing the inputs for the cache key, the cache-volume check, starting the
zip writer's worker threads and verifying the zip (which the hand-run baseline skips). For a real
install of tens of seconds the same fixed cost is within the 1.1x target; for tiny installs it is
not, and bundling the CLI into one file would be the next step. The no-change rebuild loads no
dockerode at all: its engine calls (version, image inspect, container list) go over node:http.`;
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const fmt = (ms) => `${(ms / 1000).toFixed(2)} s`;

/** Runs a command, returns wall milliseconds; throws with its stderr on failure. */
function timed(command, args, cwd) {
  const started = process.hrtime.bigint();
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8', maxBuffer: 1 << 28 });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status}):\n${result.stderr.slice(-3000)}`);
  return ms;
}

/** Containers lambda-pack created between two instants (docker events, label-filtered). */
function containersCreated(since, until) {
  const out = execFileSync('docker', ['events', '--since', String(since), '--until', String(until), '--filter', 'type=container', '--filter', 'event=create',
    '--filter', 'label=dev.lambda-pack.run', '--format', '{{.ID}}'], { encoding: 'utf8' });
  return out.split('\n').filter(Boolean).length;
}

function manifestShas(dir) {
  const m = JSON.parse(readFileSync(path.join(dir, 'dist/manifest.json'), 'utf8'));
  return Object.fromEntries(m.artifacts.map((a) => [a.path, a.sha256]));
}

rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
cpSync(path.join(repo, 'fixtures'), path.join(work, 'fixtures'), { recursive: true, filter: (src) => !/[/\\](dist|node_modules|target)$/.test(src) });
const demo = path.join(work, 'fixtures/demo');
const lines = [];
const say = (line) => { console.log(line); lines.push(line); };

console.log('warming up: a full build of the demo (dependencies may come from the cache)');
timed('node', [cli, 'build'], demo);

// 1. No change at all.
const noChange = [];
let created = 0;
for (let i = 0; i < runs; i++) {
  const since = Math.floor(Date.now() / 1000);
  noChange.push(timed('node', [cli, 'build'], demo));
  created += containersCreated(since, Math.ceil(Date.now() / 1000) + 1);
}
const artifacts = Object.keys(manifestShas(demo)).length;

// 2. One function's source changes.
const sourceOnly = [];
let createdSource = 0;
let changedOnly = true;
const handler = path.join(work, 'fixtures/node-native/function/index.js');
for (let i = 0; i < runs; i++) {
  const before = manifestShas(demo);
  writeFileSync(handler, `${readFileSync(handler, 'utf8')}// edit ${i}\n`);
  const since = Math.floor(Date.now() / 1000);
  sourceOnly.push(timed('node', [cli, 'build'], demo));
  createdSource += containersCreated(since, Math.ceil(Date.now() / 1000) + 1);
  const after = manifestShas(demo);
  const changed = Object.keys(after).filter((k) => after[k] !== before[k]).sort();
  if (changed.join() !== 'native-arm64.zip,native-x86_64.zip') { changedOnly = false; console.log(`unexpected changes: ${changed}`); }
}

// 3. Cold build overhead: lambda-pack --no-cache vs the same install run by hand (docker run + zip).
const native = path.join(work, 'fixtures/node-native');
timed('node', [cli, 'build', '--arch', 'x86_64'], native);
const image = JSON.parse(readFileSync(path.join(native, 'dist/manifest.json'), 'utf8')).artifacts.find((a) => a.arch === 'x86_64').image;
const ca = ['/etc/ssl/certs/ca-certificates.crt'].find(existsSync);
const ours = [];
const hand = [];
for (let i = 0; i < Math.max(3, Math.ceil(runs / 2)); i++) {
  ours.push(timed('node', [cli, 'build', '--no-cache', '--arch', 'x86_64', '--out', path.join(work, 'cold-out')], native));
  const out = path.join(work, 'hand');
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  // The baseline does what a careful script would: same image, same npm ci, copy out, zip.
  hand.push(timed('bash', ['-c', [
    'set -e',
    `cid=$(docker create --platform linux/amd64 -e NODE_EXTRA_CA_CERTS=/tmp/ca.pem -w /build ${image} sh -c 'npm ci --omit=dev --no-audit --no-fund --loglevel=warn')`,
    `docker cp ${native}/function/. $cid:/build`,
    ca ? `docker cp ${ca} $cid:/tmp/ca.pem` : 'true',
    'docker start -a $cid >/dev/null',
    `docker cp $cid:/build/node_modules ${out}/node_modules`,
    'docker rm $cid >/dev/null',
    `cp ${native}/function/index.js ${native}/function/package.json ${out}/`,
    `cd ${out} && zip -X -r -6 -q ../hand.zip .`,
  ].join('\n')], work));
}

// 4. Eight independent npm functions, concurrency 1 vs 2 (cold: --no-cache).
const eight = path.join(work, 'eight');
mkdirSync(eight, { recursive: true });
const fnConfig = ['imageSet: local', 'certificates: system', 'functions:'];
for (let i = 1; i <= 8; i++) {
  cpSync(path.join(work, 'fixtures/node-layer/layer'), path.join(eight, `fn${i}`), { recursive: true });
  writeFileSync(path.join(eight, `fn${i}/index.js`), `exports.handler = async () => require('bytes')(${i * 1024});\n`);
  fnConfig.push(`  fn${i}: { runtime: nodejs22.x, source: fn${i}, handler: index.handler }`);
}
writeFileSync(path.join(eight, 'lambda-pack.config.yaml'), `${fnConfig.join('\n')}\n`);
const c1 = [];
const c2 = [];
for (let i = 0; i < 3; i++) {
  c1.push(timed('node', [cli, 'build', '--no-cache', '--concurrency', '1'], eight));
  c2.push(timed('node', [cli, 'build', '--no-cache', '--concurrency', '2'], eight));
}

const cpu = readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/)?.[1] ?? 'unknown';
say('## rebuilds');
say('');
say(`Machine: ${os.cpus().length} × ${cpu}, ${(os.totalmem() / 1024 ** 3).toFixed(0)} GiB, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}. Command: \`npm run build && node bench/rebuild.mjs --runs ${runs}\`.`);
say('Every figure is a median; the pairs in rows 3 and 4 were measured alternately in one run.');
say('');
say('| benchmark | target | measured | met |');
say('|---|---|---|---|');
say(`| no-change rebuild of fixtures/demo (${artifacts} artifacts, both archs), ${runs} runs | < 1 s, 0 containers | ${fmt(median(noChange))} (runs: ${noChange.map(fmt).join(', ')}), ${created} containers | ${median(noChange) < 1000 && created === 0 ? 'yes' : 'no'} |`);
say(`| source-only change in one function (node-native), ${runs} runs | < 2 s, 0 containers, only its zips change | ${fmt(median(sourceOnly))}, ${createdSource} containers, ${changedOnly ? 'only native-*.zip changed' : 'OTHER ZIPS CHANGED'} | ${median(sourceOnly) < 2000 && createdSource === 0 && changedOnly ? 'yes' : 'no'} |`);
say(`| cold build of node-native x86_64: lambda-pack --no-cache vs docker create/cp/start/cp + zip by hand | ≤ 1.1× | ${fmt(median(ours))} vs ${fmt(median(hand))} = ${(median(ours) / median(hand)).toFixed(2)}× | ${median(ours) / median(hand) <= 1.1 ? 'yes' : 'no'} |`);
say(`| 8 npm functions (x86_64, --no-cache): concurrency 1 vs 2 | — | ${fmt(median(c1))} vs ${fmt(median(c2))} = ${(median(c1) / median(c2)).toFixed(2)}× faster | — |`);
say('');
for (const line of NOTES.trim().split('\n')) say(line);
say('');
const results = path.join(repo, 'bench/RESULTS.md');
const existing = existsSync(results) ? readFileSync(results, 'utf8') : '';
const rest = existing.replace(/## rebuilds\n[\s\S]*?(?=\n## |$)/, '').trimEnd();
writeFileSync(results, `${rest}${rest ? '\n\n' : ''}${lines.join('\n')}\n`);
console.log(`written to ${results}`);
