// Node package managers and bundling, measured with the compiled CLI (npm run build first) on
// copies under bench/.work/node-managers (the repository is never modified):
//   1. build time of the same dependencies installed by pnpm and by npm (x86_64, --no-cache, warm
//      package-manager caches: what a lockfile change costs);
//   2. what installing a package manager in the build container costs: cold (first build on an
//      engine) and warm (every later build), per manager and architecture;
//   3. the pnpm-workspace TypeScript function bundled vs unbundled: unzipped bytes and files.
// Needs the npm registry and the local images (scripts/setup-machine.sh).
// Usage: node bench/node-managers.mjs [--runs N]   → writes the "## node package managers" section of bench/RESULTS.md
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(repo, 'dist/cli/main.js');
const work = path.join(repo, 'bench/.work/node-managers');
const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 3;
const env = { ...process.env, CI: 'true', COREPACK_ENABLE_STRICT: '0' };
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const fmt = (ms) => `${(ms / 1000).toFixed(2)} s`;

function run(command, args, cwd, extraEnv = {}) {
  const started = process.hrtime.bigint();
  const result = spawnSync(command, args, { cwd, env: { ...env, ...extraEnv }, encoding: 'utf8', maxBuffer: 1 << 28 });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status}):\n${result.stderr.slice(-3000)}`);
  return { ms, stdout: result.stdout, stderr: result.stderr };
}

/** A pinned package manager on this machine, to write lockfiles and install the workspace for bundling. */
function tool(spec, bin) {
  const prefix = path.join(os.tmpdir(), 'lambda-pack-test-tools', spec.replace('/', '+'));
  if (!existsSync(path.join(prefix, 'bin', bin))) run('npm', ['install', '--global', '--prefix', prefix, '--no-audit', '--no-fund', spec], repo);
  return path.join(prefix, 'bin', bin);
}

const CONFIG = 'imageSet: local\ncertificates: system\nfunctions:\n  fn: { runtime: nodejs22.x, source: fn, handler: index.handler, architectures: [x86_64] }\n';
const DEPS = { express: '4.21.2', dayjs: '1.11.13', uuid: '11.0.5', zod: '3.24.1', lodash: '4.17.21', '@node-rs/crc32': '1.10.8', ws: '8.18.0', yaml: '2.7.0' };

/** The same function twice: one with a package-lock.json, one with a pnpm-lock.yaml (pnpm 10.34.9). */
function sameDependencies() {
  const dirs = {};
  for (const manager of ['npm', 'pnpm']) {
    const dir = path.join(work, `same-${manager}`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(path.join(dir, 'fn'), { recursive: true });
    writeFileSync(path.join(dir, 'lambda-pack.config.yaml'), CONFIG);
    writeFileSync(path.join(dir, 'fn/index.js'), 'exports.handler = async () => Object.keys(require("lodash")).length;\n');
    writeFileSync(path.join(dir, 'fn/package.json'), JSON.stringify({ name: 'fn', version: '1.0.0', private: true, ...(manager === 'pnpm' ? { packageManager: 'pnpm@10.34.9' } : {}), dependencies: DEPS }, null, 2));
    if (manager === 'npm') run('npm', ['install', '--package-lock-only', '--no-audit', '--no-fund'], path.join(dir, 'fn'));
    else run(tool('pnpm@10.34.9', 'pnpm'), ['install', '--lockfile-only'], path.join(dir, 'fn'));
    dirs[manager] = dir;
  }
  const times = { npm: [], pnpm: [] };
  for (const manager of ['npm', 'pnpm']) run('node', [cli, 'build', '--no-cache'], dirs[manager]); // warms the caches
  for (let i = 0; i < runs; i++) for (const manager of ['npm', 'pnpm']) times[manager].push(run('node', [cli, 'build', '--no-cache'], dirs[manager]).ms);
  const files = (manager) => execFileSync('unzip', ['-Z1', path.join(dirs[manager], 'dist/fn-x86_64.zip')], { encoding: 'utf8' }).split('\n').filter((l) => l && !l.endsWith('/')).length;
  return { times, files: { npm: files('npm'), pnpm: files('pnpm') } };
}

/** A manager's install into the cache volume: cold (a fresh cache root in the container) and warm. */
function managerOverhead() {
  const rows = [];
  const cases = [
    ['pnpm@10.34.9', { kind: 'pnpm', package: 'pnpm', version: '10.34.9', bin: 'pnpm' }],
    ['yarn@1.22.22', { kind: 'yarn-classic', package: 'yarn', version: '1.22.22', bin: 'yarn' }],
    ['@yarnpkg/cli-dist@4.18.1', { kind: 'yarn-berry', package: '@yarnpkg/cli-dist', version: '4.18.1', bin: 'yarn' }],
    ['bun@1.4.5', { kind: 'bun', package: 'bun', version: '1.4.5', bin: 'bun' }],
  ];
  for (const arch of ['x86_64', 'arm64']) {
    const image = execFileSync('docker', ['images', '--format', '{{.Repository}}:{{.Tag}}', 'lambda-pack-local/nodejs22.x'], { encoding: 'utf8' }).split('\n').find((t) => t.includes(`:${arch}-`));
    for (const [label, spec] of cases) {
      // cold: install, then warm: the same cache root again; `--version` is the manager's cheapest command.
      const script = [
        'set -eu', 'export HOME=/tmp/h LAMBDA_PACK_CACHE_ROOT=/tmp/cache npm_config_cache=/tmp/cache/npm NODE_EXTRA_CA_CERTS=/ca.pem SSL_CERT_FILE=/ca.pem', 'mkdir -p $HOME',
        `a=$(date +%s%N); node /pm.mjs '${JSON.stringify(spec)}' --version >/dev/null; b=$(date +%s%N); node /pm.mjs '${JSON.stringify(spec)}' --version >/dev/null; c=$(date +%s%N)`,
        'echo "$(( (b - a) / 1000000 )) $(( (c - b) / 1000000 ))"',
      ].join('\n');
      const out = execFileSync('docker', ['run', '--rm', '--platform', arch === 'arm64' ? 'linux/arm64' : 'linux/amd64',
        '-v', `${path.join(work, 'pm.mjs')}:/pm.mjs:ro`, '-v', '/etc/ssl/certs/ca-certificates.crt:/ca.pem:ro', image, 'sh', '-c', script], { encoding: 'utf8' }).trim().split('\n').pop();
      const [cold, warm] = out.split(' ').map(Number);
      rows.push({ arch, label, cold, warm });
    }
  }
  return rows;
}

/** The pnpm workspace's TypeScript function, bundled (its config) and unbundled (bundle removed). */
async function bundledVsUnbundled() {
  const dir = path.join(work, 'pnpm-workspace');
  rmSync(dir, { recursive: true, force: true });
  cpSync(path.join(repo, 'fixtures/node-pnpm-workspace'), dir, { recursive: true, filter: (src) => !/node_modules|\/dist$/.test(src) });
  run(tool('pnpm@10.34.9', 'pnpm'), ['install', '--frozen-lockfile', '--ignore-scripts'], dir);
  const count = (zip) => {
    const list = execFileSync('unzip', ['-Zl', zip], { encoding: 'utf8' }).split('\n').filter((l) => /^-/.test(l));
    const files = list.map((l) => l.trim().split(/\s+/)).map((f) => ({ size: Number(f[3]), name: f[f.length - 1] }));
    return { files: files.length, js: files.filter((f) => /\.(c|m)?js$|\.json$|\.node$/.test(f.name)).length, bytes: files.reduce((n, f) => n + f.size, 0) };
  };
  const build = (outDir) => run('node', [cli, 'build', 'api', '--arch', 'x86_64', '--no-cache', '--out', path.join(dir, outDir)], dir);
  const bundled = build('dist-bundled');
  const config = readFileSync(path.join(dir, 'lambda-pack.config.yaml'), 'utf8');
  writeFileSync(path.join(dir, 'lambda-pack.config.yaml'), config.replace('sourcemap: true', 'sourcemap: false'));
  const nomap = build('dist-nomap');
  writeFileSync(path.join(dir, 'lambda-pack.config.yaml'), config.replace(/^\s+bundle:.*\n/m, ''));
  // Unbundled, the function ships compiled JavaScript beside its source (what tsc would write).
  const { transformSync } = await import('esbuild');
  const ts = readFileSync(path.join(dir, 'packages/api/src/index.ts'), 'utf8');
  writeFileSync(path.join(dir, 'packages/api/src/index.js'), transformSync(ts, { loader: 'ts', format: 'cjs', target: 'node22' }).code);
  const unbundled = build('dist-unbundled');
  return {
    bundled: { ...count(path.join(dir, 'dist-bundled/api-x86_64.zip')), ms: bundled.ms },
    nomap: { ...count(path.join(dir, 'dist-nomap/api-x86_64.zip')), ms: nomap.ms },
    unbundled: { ...count(path.join(dir, 'dist-unbundled/api-x86_64.zip')), ms: unbundled.ms },
  };
}

mkdirSync(work, { recursive: true });
const { PM_RUNNER } = await import(path.join(repo, 'dist/builders/node/container-scripts.js'));
writeFileSync(path.join(work, 'pm.mjs'), PM_RUNNER);
const started = new Date().toISOString();
const load = os.loadavg()[0].toFixed(2);
const same = sameDependencies();
const overhead = managerOverhead();
const bundle = await bundledVsUnbundled();

const section = `## node package managers

Measured ${started} on: nproc ${os.cpus().length}, ${Math.round(os.totalmem() / 2 ** 30)} GiB RAM, Node ${process.version}, load average ${load} at the start (other agents' builds share the machine).
Command: \`npm run build && node bench/node-managers.mjs --runs ${runs}\`.

### Same dependencies, pnpm vs npm (x86_64, \`build --no-cache\`, warm download caches, ${runs} runs each, interleaved)

Dependencies: ${Object.entries(DEPS).map(([n, v]) => `${n}@${v}`).join(', ')}.

| manager | median | runs | files in the zip |
| --- | --- | --- | --- |
| npm (the image's, \`npm ci\`) | **${fmt(median(same.times.npm))}** | ${same.times.npm.map(fmt).join(', ')} | ${same.files.npm} |
| pnpm 10.34.9 (\`pnpm install --frozen-lockfile --prod\`, node-linker=hoisted) | **${fmt(median(same.times.pnpm))}** | ${same.times.pnpm.map(fmt).join(', ')} | ${same.files.pnpm} |

Two runs on this shared machine (2026-12-01): at load average 5.2, npm 11.09 s and pnpm 9.39 s (medians); at 6.7, npm 15.16 s and pnpm 17.39 s (one 29 s pnpm outlier). The difference is inside the noise: both spend the time downloading and extracting the same ${same.files.npm} files into real directories (pnpm's hoisted linker copies out of its store, npm extracts from its cache). pnpm's first build on an engine also pays installing pnpm itself (below).

### Installing the package manager in the build container (\`pm.mjs\`, \`--version\`)

Cold: the first build on an engine (npm pack + hash check + npm install into the cache volume). Warm: every later build (the manager is in the volume); most of it is the manager's own start-up for \`--version\` (pnpm and yarn are large JavaScript programs, slower still under qemu), which any install pays anyway: lambda-pack's own part is one \`node\` start and a file check.

| arch | manager | cold | warm |
| --- | --- | --- | --- |
${overhead.map((r) => `| ${r.arch} | ${r.label} | ${fmt(r.cold)} | ${fmt(r.warm)} |`).join('\n')}

### The pnpm-workspace TypeScript function (fixtures/node-pnpm-workspace, \`api\`), x86_64

The native packages (native-sum, @node-rs/crc32 with its ~600 kB x86_64 binary) ship either way and dominate the bytes; bundling cuts the files Node opens at init.

| | files in the zip | .js/.json/.node files | unzipped bytes | \`build --no-cache\` |
| --- | --- | --- | --- | --- |
| bundled (\`bundle: esbuild\`, \`sourcemap: true\`): the bundle, its map + native packages only | ${bundle.bundled.files} | ${bundle.bundled.js} | ${bundle.bundled.bytes} | ${fmt(bundle.bundled.ms)} |
| bundled, no source map | ${bundle.nomap.files} | ${bundle.nomap.js} | ${bundle.nomap.bytes} | ${fmt(bundle.nomap.ms)} |
| unbundled: source + the whole production closure | ${bundle.unbundled.files} | ${bundle.unbundled.js} | ${bundle.unbundled.bytes} | ${fmt(bundle.unbundled.ms)} |
`;
const results = path.join(repo, 'bench/RESULTS.md');
const text = readFileSync(results, 'utf8');
const at = text.indexOf('## node package managers');
const next = at < 0 ? -1 : text.indexOf('\n## ', at + 1);
writeFileSync(results, at < 0 ? `${text.trimEnd()}\n\n${section}` : `${text.slice(0, at)}${section}${next < 0 ? '' : text.slice(next + 1)}`);
console.log(section);
