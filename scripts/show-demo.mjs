// Shows the demo's artifacts from dist/manifest.json and calls every function through
// `lambda-pack invoke`: the zip at /var/task and its layers at /opt in a container of its
// architecture from the runtime image, answering one event over the Lambda Runtime API.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = process.argv[2];
const config = process.argv[3] ?? 'lambda-pack.config.yaml';
const cli = path.join(path.dirname(fileURLToPath(import.meta.url)), '../dist/cli/main.js');
const manifest = JSON.parse(readFileSync(path.join(dist, 'manifest.json'), 'utf8'));
const EVENT = { numbers: [3, 4, 12], body: 'hello from lambda-pack', name: 'demo', size: 1048576, text: '3KB', title: 'Hello, Layers!', password: 'demo' };

console.log(`== artifacts (${path.join(dist, 'manifest.json')})`);
for (const a of manifest.artifacts) {
  const proof = a.loadCheckMs === undefined ? '' : `  loads (${(a.loadCheckMs / 1000).toFixed(1)} s)`;
  const image = a.containerImage ? `\n${''.padEnd(22)} image ${a.containerImage.uri ?? `${a.containerImage.repository}:${a.containerImage.tag}`}` : '';
  console.log(`${a.path.padEnd(22)} ${a.kind.padEnd(8)} ${a.builder.padEnd(5)} ${String(a.zippedBytes).padStart(9)} bytes  sha256 ${a.sha256.slice(0, 16)}…${proof}${image}`);
}

console.log('\n== lambda-pack invoke: each function in a container of its architecture (layers at /opt)');
const work = mkdtempSync(path.join(os.tmpdir(), 'lambda-pack-demo-'));
try {
  const event = path.join(work, 'event.json');
  writeFileSync(event, JSON.stringify(EVENT));
  for (const fn of manifest.artifacts.filter((a) => a.kind === 'function')) {
    const run = spawnSync('node', [cli, 'invoke', fn.name, '--arch', fn.arch, '--config', config, '--out', dist, '--event', event], { encoding: 'utf8' });
    const ok = run.status === 0;
    console.log(`${`${fn.name}-${fn.arch}`.padEnd(18)} → ${ok ? run.stdout.trim().split('\n').pop() : `FAILED: ${run.stdout}${run.stderr}`.trim()}`);
    if (!ok) process.exitCode = 1;
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
