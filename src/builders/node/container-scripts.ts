// Two small Node scripts lambda-pack sends into Node build containers (generated install inputs
// under CONTAINER_SCRIPTS_DIR, inside the build directory), so every install step stays one argv list:
//  - pm.mjs runs a package manager from the package-manager cache volume, installing it there
//    from the npm registry first (checking corepack's hash), with its download cache in the volume,
//    and fails when the manager skipped a dependency's build script (never a silent skip);
//  - prune-platform.mjs removes optional packages built for another platform from a node_modules
//    tree, for the one lockfile that cannot say (yarn 1 records no os/cpu/libc).
// Both run on the image's Node (any version Lambda has), with no dependencies.

import { CONTAINER } from '../types.js';

/** Relative to the build directory (where install inputs land), and as the container sees it. */
export const SCRIPTS_INPUT_DIR = '.lambda-pack';
export const CONTAINER_SCRIPTS_DIR = `${CONTAINER.build}/${SCRIPTS_INPUT_DIR}`;

export const PM_RUNNER = String.raw`// pm.mjs '<json: {kind, package, version, bin, hash?, yarnPath?, cwd?}>' <manager args…>
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';

const [spec, ...args] = process.argv.slice(2);
const pm = JSON.parse(spec);
const cacheRoot = process.env.LAMBDA_PACK_CACHE_ROOT || path.dirname(process.env.npm_config_cache || '/tmp/lambda-pack-cache/npm');
const fail = (message) => { console.error('lambda-pack: ' + message); process.exit(1); };

function install() {
  const home = path.join(cacheRoot, 'pm');
  const dir = path.join(home, pm.package.replace('/', '+') + '@' + pm.version);
  const bin = path.join(dir, 'bin', pm.bin);
  if (existsSync(bin)) return bin;
  mkdirSync(home, { recursive: true });
  const started = Date.now();
  const tmp = mkdtempSync(path.join(home, '.installing-'));
  try {
    const run = (cmd, argv, cwd = tmp) => {
      const result = spawnSync(cmd, argv, { cwd, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
      if (result.status !== 0) fail(cmd + ' ' + argv.join(' ') + ' failed (exit ' + result.status + ')');
      return result.stdout;
    };
    const pack = spawnSync('npm', ['pack', '--silent', pm.package + '@' + pm.version], { cwd: tmp, stdio: ['ignore', 'pipe', 'inherit'] });
    if (pack.status !== 0) fail('could not download ' + pm.package + '@' + pm.version + ' from the npm registry (npm pack exit ' + pack.status + '): check that package.json "packageManager" names a published release, and that the registry is reachable from the build.');
    const tarball = readdirSync(tmp).find((f) => f.endsWith('.tgz'));
    if (!tarball) fail('npm pack ' + pm.package + '@' + pm.version + ' wrote no tarball');
    if (pm.hash) {
      let file = path.join(tmp, tarball);
      if (pm.hash.of === 'bin/yarn.js') { run('tar', ['-xzf', tarball, 'package/bin/yarn.js']); file = path.join(tmp, 'package/bin/yarn.js'); }
      const actual = createHash(pm.hash.algorithm).update(readFileSync(file)).digest('hex');
      if (actual !== pm.hash.hex) fail('package.json "packageManager" pins ' + pm.package + '@' + pm.version + ' with ' + pm.hash.algorithm + '.' + pm.hash.hex + ', but the registry serves ' + pm.hash.algorithm + '.' + actual + ' (' + pm.hash.of + '). Check the hash with: corepack use ' + pm.kind.replace(/-.*/, '') + '@' + pm.version);
    }
    run('npm', ['install', '--global', '--prefix', path.join(tmp, 'prefix'), '--no-audit', '--no-fund', '--loglevel=warn', path.join(tmp, tarball)]);
    try { renameSync(path.join(tmp, 'prefix'), dir); } catch (error) { if (!existsSync(bin)) throw error; }
  } finally { rmSync(tmp, { recursive: true, force: true }); }
  if (!existsSync(bin)) fail(pm.package + '@' + pm.version + ' installed no ' + pm.bin + ' executable');
  console.error('lambda-pack: installed ' + pm.package + '@' + pm.version + ' into the package-manager cache in ' + ((Date.now() - started) / 1000).toFixed(1) + ' s');
  return bin;
}

// Where each manager keeps its downloads: the cache volume, never the container's home.
const env = { ...process.env };
const extra = [];
if (pm.kind === 'pnpm') extra.push('--config.store-dir=' + path.join(cacheRoot, 'pnpm-store'));
if (pm.kind === 'yarn-classic') extra.push('--cache-folder', path.join(cacheRoot, 'yarn-classic'));
if (pm.kind === 'yarn-berry') Object.assign(env, { YARN_CACHE_FOLDER: path.join(cacheRoot, 'yarn-berry'), YARN_ENABLE_GLOBAL_CACHE: 'false' });
if (pm.kind === 'bun') env.BUN_INSTALL_CACHE_DIR = path.join(cacheRoot, 'bun');
// yarn and bun run node-gyp from PATH: give them the one npm bundles (npm and pnpm bring theirs).
const gypBin = path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'bin', 'node-gyp-bin');
if (existsSync(gypBin)) env.PATH = gypBin + path.delimiter + (env.PATH || '');

const [command, argv] = pm.yarnPath ? [process.execPath, [pm.yarnPath, ...args]] : [install(), [...args, ...extra]];
const SKIPPED = [
  [/YN0004: .* lists build scripts, but (all build scripts have been disabled|its build has been explicitly disabled)/, 'yarn skipped a dependency\'s build script (enableScripts / dependenciesMeta.built in .yarnrc.yml and package.json): allow it there, or the package ships unbuilt'],
  [/Blocked \d+ postinstalls?/, 'bun skipped dependencies\' install scripts (not in package.json "trustedDependencies"): add them there (bun pm untrusted lists them), or they ship unbuilt'],
];
let skipped;
const child = spawn(command, argv, { env, cwd: pm.cwd || '.', stdio: ['ignore', 'pipe', 'pipe'] });
for (const [stream, out] of [[child.stdout, process.stdout], [child.stderr, process.stderr]]) {
  let rest = '';
  stream.on('data', (chunk) => {
    out.write(chunk);
    const lines = (rest + chunk).split('\n');
    rest = lines.pop();
    for (const line of lines) for (const [pattern, message] of SKIPPED) if (pattern.test(line)) skipped = message;
  });
}
child.on('close', (code, signal) => {
  if (code === 0 && skipped) fail(skipped);
  process.exit(code ?? (signal ? 128 : 1));
});
`;

export const PRUNE_PLATFORM = String.raw`// prune-platform.mjs <node_modules dir> <os> <cpu> <libc>
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';

const [root, os, cpu, libc] = process.argv.slice(2);
const fits = (list, value) => !Array.isArray(list) || !list.length ||
  (list.some((v) => !String(v).startsWith('!')) ? list.includes(value) : !list.includes('!' + value));

function visit(modules) {
  if (!existsSync(modules)) return;
  for (const entry of readdirSync(modules).sort()) {
    if (entry.startsWith('.')) continue;
    const dirs = entry.startsWith('@') ? readdirSync(path.join(modules, entry)).sort().map((d) => path.join(modules, entry, d)) : [path.join(modules, entry)];
    for (const dir of dirs) {
      let manifest;
      try { manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')); } catch { continue; }
      if (!fits(manifest.os, os) || !fits(manifest.cpu, cpu) || !fits(manifest.libc, libc)) {
        rmSync(dir, { recursive: true, force: true });
        console.log('lambda-pack: left out ' + path.relative(root, dir) + ' (built for ' + [manifest.os, manifest.cpu, manifest.libc].filter(Boolean).join('/') + ')');
        continue;
      }
      visit(path.join(dir, 'node_modules'));
    }
  }
}
visit(root);
`;
