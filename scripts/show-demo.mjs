// Shows the demo's artifacts from dist/manifest.json and calls every function in a container of
// its architecture, as Lambda would: the zip at /var/task, its layers at /opt, an unprivileged
// user, Lambda's library and module paths, and a Runtime API for provided.* bootstraps.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';

const dist = process.argv[2];
const manifest = JSON.parse(readFileSync(path.join(dist, 'manifest.json'), 'utf8'));
const config = readFileSync(path.join(dist, '..', 'lambda-pack.config.yaml'), 'utf8');
const platform = { x86_64: 'linux/amd64', arm64: 'linux/arm64' };
const EVENT = { numbers: [3, 4, 12], body: 'hello from lambda-pack', name: 'demo', size: 1048576, text: '3KB', title: 'Hello, Layers!' };
const LAMBDA_ENV = 'export LD_LIBRARY_PATH=/var/task/lib:/opt/lib PATH=/opt/bin:$PATH PYTHONPATH=/var/task:/opt/python NODE_PATH=/opt/nodejs/node22/node_modules:/opt/nodejs/node_modules';

/** The layers a function lists in the demo config (`layers: [a, b]` under its name). */
function layersOf(name) {
  const block = config.split(/\n(?= {2}\S)/).find((b) => b.startsWith(`  ${name}:`)) ?? '';
  return (/layers: \[([^\]]*)\]/.exec(block)?.[1] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

function imageFor(runtime, arch) {
  // A cross-built artifact's image is the host's (x86_64), not one of its architecture.
  return manifest.artifacts.find((a) => a.arch === arch && a.image && a.runtime === runtime && a.strategy !== 'cross')?.image;
}

function commandFor(fn) {
  if (fn.runtime.startsWith('nodejs')) {
    return `cd /tmp && node -e 'const fs = require("fs"); const f = fs.existsSync("/var/task/index.js") ? "/var/task/index.js" : "/var/task/index.mjs"; import(f).then((m) => m.handler(${JSON.stringify(EVENT)})).then((r) => console.log(JSON.stringify(r)))'`;
  }
  if (fn.runtime.startsWith('python')) return `cd /var/task && python3 -c 'import json, app; print(json.dumps(app.handler(${JSON.stringify(EVENT)})))'`;
  return 'exec /var/task/bootstrap';
}

/** A one-invocation Runtime API on the host; resolves with what the bootstrap posted. */
async function runtimeApi() {
  let answered = false, resolve;
  const response = new Promise((r) => { resolve = r; });
  const server = http.createServer((req, res) => {
    if (req.method === 'GET' && !answered) {
      answered = true;
      res.writeHead(200, { 'Lambda-Runtime-Aws-Request-Id': 'demo-1', 'Content-Type': 'application/json' });
      return res.end(JSON.stringify({ numbers: EVENT.numbers }));
    }
    if (req.method === 'POST') {
      let body = '';
      req.on('data', (c) => { body += c; }).on('end', () => { res.writeHead(202).end(); resolve(body); });
    }
    // Later `next` calls wait, as on Lambda between invocations.
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { address: `127.0.0.1:${server.address().port}`, response, close: () => { server.closeAllConnections(); server.close(); } };
}

async function invoke(fn) {
  const staging = mkdtempSync(path.join(os.tmpdir(), 'lambda-pack-demo-'));
  chmodSync(staging, 0o755);
  try {
    mkdirSync(path.join(staging, 'var/task'), { recursive: true });
    mkdirSync(path.join(staging, 'opt'));
    spawnSync('unzip', ['-q', path.join(dist, fn.path), '-d', path.join(staging, 'var/task')]);
    for (const layer of layersOf(fn.name)) spawnSync('unzip', ['-qo', path.join(dist, `${layer}-${fn.arch}.zip`), '-d', path.join(staging, 'opt')]);
    const provided = fn.runtime.startsWith('provided');
    const api = provided ? await runtimeApi() : undefined;
    const name = `lambda-pack-demo-${fn.name}-${fn.arch}-${process.pid}`;
    const args = ['run', '--rm', '-i', '--name', name, '--platform', platform[fn.arch], '--user', '0:0', '--entrypoint', '/bin/sh',
      ...(api ? ['--network', 'host', '-e', `AWS_LAMBDA_RUNTIME_API=${api.address}`] : ['--network', 'none']),
      imageFor(fn.runtime, fn.arch) ?? imageFor(fn.runtime.startsWith('python') ? 'python3.11' : 'nodejs22.x', fn.arch), '-c',
      `tar -C / -xf - --no-same-owner && chmod 755 /var/task && ${LAMBDA_ENV} && exec setpriv --reuid=993 --regid=990 --clear-groups /bin/sh -c "$0"`, commandFor(fn)];
    const child = spawn('docker', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    spawn('tar', ['-C', staging, '-cf', '-', '.']).stdout.pipe(child.stdin);
    let stdout = '', stderr = '';
    child.stdout.on('data', (c) => { stdout += c; });
    child.stderr.on('data', (c) => { stderr += c; });
    const exited = new Promise((r) => child.on('close', r));
    if (api) {
      stdout = await Promise.race([api.response, exited.then(() => '')]);
      spawnSync('docker', ['rm', '-f', name]);
      api.close();
    }
    const code = await exited;
    return api ? (stdout ? { ok: true, text: stdout } : { ok: false, text: stderr }) : { ok: code === 0, text: (code === 0 ? stdout : stderr).trim() };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

console.log(`== artifacts (${path.join(dist, 'manifest.json')})`);
for (const a of manifest.artifacts) {
  console.log(`${a.path.padEnd(22)} ${a.kind.padEnd(8)} ${a.builder.padEnd(5)} ${String(a.zippedBytes).padStart(9)} bytes  sha256 ${a.sha256.slice(0, 16)}…`);
}
console.log('\n== calling each function in a container of its architecture (layers at /opt)');
for (const fn of manifest.artifacts.filter((a) => a.kind === 'function')) {
  const result = await invoke(fn);
  console.log(`${`${fn.name}-${fn.arch}`.padEnd(18)} → ${result.ok ? result.text.trim().split('\n').pop() : `FAILED: ${result.text}`}`);
  if (!result.ok) process.exitCode = 1;
}
