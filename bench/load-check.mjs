// The time the load check adds per artifact: `verify --load` against `verify` on the same zip, for
// a Node, a Python and a provided function (fixtures/load-check), x86_64 (native) and arm64 (qemu),
// cold (the runtime stand-in image absent, so it is built first; the node-ric helper stays) and
// warm (image present, median of N). Also the cold build of each runtime stand-in image.
// Usage: npm run build && node bench/load-check.mjs [--runs N]   → the "## load check" section of bench/RESULTS.md
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(repo, 'dist/cli/main.js');
const config = path.join(repo, 'fixtures/load-check/lambda-pack.config.yaml');
const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 3;
const out = path.join(repo, 'bench/.work/load-check');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (ms) => `${(ms / 1000).toFixed(1)} s`;

function run(args) {
  const started = Date.now();
  const result = spawnSync('node', [cli, ...args], { cwd: repo, env: { ...process.env, CI: 'true' }, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`lambda-pack ${args.join(' ')} failed (${result.status}):\n${result.stderr.slice(-2000)}`);
  return { ms: Date.now() - started, stderr: result.stderr };
}

/** The stand-in image of a runtime for an architecture, as `images build` names it. */
function standIn(runtime, arch) {
  const line = run(['images', 'build', '--arch', arch]).stderr.split('\n').find((l) => l.startsWith(`runtime-${runtime} ${arch}: `));
  if (!line) throw new Error(`images build did not list runtime-${runtime} for ${arch}`);
  return line.split(': ')[1].trim();
}

const loadAverage = () => os.loadavg()[0].toFixed(1);
const functions = [
  { name: 'native', runtime: 'nodejs22.x', handler: 'index.handler', row: 'Node (fixtures/node-native: node-gyp addon, prebuilt package)' },
  { name: 'stats', runtime: 'python3.11', handler: 'app.handler', row: 'Python (fixtures/python-native: C extension)' },
  { name: 'csquares', runtime: 'provided.al2023', row: 'provided (fixtures/c-bootstrap: C bootstrap)' },
];

run(['build', '--config', config, '--out', out, '--arch', 'all']);
const loadAtStart = loadAverage();
const rows = [];
const images = [];
for (const arch of ['x86_64', 'arm64']) {
  for (const fn of functions) {
    const zip = path.join(out, `${fn.name}-${arch}.zip`);
    const verify = ['verify', zip, '--runtime', fn.runtime, '--arch', arch, ...(fn.handler ? ['--handler', fn.handler] : [])];
    const image = standIn(fn.runtime, arch);
    spawnSync('docker', ['rmi', image], { encoding: 'utf8' });
    const imageStarted = Date.now();
    standIn(fn.runtime, arch);
    images.push(`| ${fn.runtime} | ${arch} | ${fmt(Date.now() - imageStarted)} |`);
    spawnSync('docker', ['rmi', image], { encoding: 'utf8' });
    const cold = run([...verify, '--load', '--image-set', 'local']).ms - run(verify).ms;
    const warm = [];
    for (let i = 0; i < runs; i++) warm.push(run([...verify, '--load', '--image-set', 'local']).ms - run(verify).ms);
    rows.push(`| ${fn.row} | ${arch}${arch === 'arm64' ? ' (qemu)' : ''} | ${fmt(cold)} | **${fmt(median(warm))}** | ${warm.map((ms) => (ms / 1000).toFixed(1)).join(', ')} |`);
    console.log(rows.at(-1));
  }
}
// The helper that compiles the Node client for both architectures, with the x86_64 image that needs it.
const helper = run(['images', 'build', '--arch', 'x86_64', '--verbose']).stderr.match(/lambda-pack-local\/node-ric:x86_64-[0-9a-f]+/)?.[0]
  ?? spawnSync('docker', ['images', '--format', '{{.Repository}}:{{.Tag}}', 'lambda-pack-local/node-ric'], { encoding: 'utf8' }).stdout.split('\n').find((ref) => ref.includes(':x86_64-'));
if (!helper) throw new Error('no lambda-pack-local/node-ric image for x86_64');
spawnSync('docker', ['rmi', standIn('nodejs22.x', 'x86_64'), helper], { encoding: 'utf8' });
const helperStarted = Date.now();
standIn('nodejs22.x', 'x86_64');
images.push(`| nodejs22.x, with the node-ric helper (rapid-client.node for x86_64 natively and arm64 cross-compiled) | x86_64 | ${fmt(Date.now() - helperStarted)} |`);

const lines = ['## load check', '',
  `Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, x86_64 host, arm64 under qemu-user; Node ${process.version}; ${new Date().toISOString().slice(0, 10)}; load average ${loadAtStart} at the start, ${loadAverage()} at the end (the machine is shared).`,
  `Command: \`npm run build && node bench/load-check.mjs --runs ${runs}\`.`, '',
  'Added time per artifact: `verify --load --image-set local` minus `verify` on the same zip, each a fresh CLI process (engine connection, image lookup, container, Runtime API, init, removal).',
  'Cold: the runtime stand-in image is absent and is built first (from the local Debian base; the node-ric helper that compiles the Node client stays). Warm: the image is present.', '',
  `| artifact | arch | cold | warm (median of ${runs}) | warm runs (s) |`, '|---|---|---|---|---|', ...rows, '',
  'Cold build of each runtime stand-in image alone (`images build`, the image removed first, the node-ric helper present):', '',
  '| runtime | arch | image build |', '|---|---|---|', ...images, '',
  'Notes:',
  '- The Node stand-in\'s native client (aws-lambda-ric\'s rapid-client.node, with the curl and aws-lambda-cpp it bundles) is compiled',
  '  once, by images/node-ric for the engine\'s own architecture: natively for x86_64 and with Debian\'s cross gcc for arm64. Compiling it',
  '  under qemu instead was stopped after 17 minutes, with curl\'s configure at 291 of its ~1,000 checks.',
  '- With `imageSet: official` a cold check pulls the official base image instead (not measurable here: no registry).'];
rmSync(out, { recursive: true, force: true });
const results = path.join(repo, 'bench/RESULTS.md');
const existing = existsSync(results) ? readFileSync(results, 'utf8') : '';
const rest = existing.replace(/## load check\n[\s\S]*?(?=\n## |$)/, '').trimEnd();
writeFileSync(results, `${rest}${rest ? '\n\n' : ''}${lines.join('\n')}\n`);
console.log(`written to ${results}`);
