// Shows the demo's artifacts from dist/manifest.json and calls each function in a container of
// its architecture (the image that built it), as an unprivileged user, from the extracted zip.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const dist = process.argv[2];
const manifest = JSON.parse(readFileSync(path.join(dist, 'manifest.json'), 'utf8'));
const platform = { x86_64: 'linux/amd64', arm64: 'linux/arm64' };
const nodeImage = Object.fromEntries(manifest.artifacts.filter((a) => a.image).map((a) => [a.arch, a.image]));

console.log(`== artifacts (${path.join(dist, 'manifest.json')})`);
for (const a of manifest.artifacts) {
  console.log(`${a.path.padEnd(24)} ${String(a.zippedBytes).padStart(9)} bytes  sha256 ${a.sha256.slice(0, 16)}…  ${a.builder}`);
}
console.log('\n== calling each function in a container of its architecture');
for (const a of manifest.artifacts) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lambda-pack-demo-'));
  try {
    execFileSync('unzip', ['-q', path.join(dist, a.path), '-d', dir]);
    const entry = ['index.js', 'index.mjs'].find((f) => spawnSync('test', ['-f', path.join(dir, f)]).status === 0);
    const script = `cd /tmp && node --input-type=module -e 'const m = await import("/var/task/${entry}"); console.log(JSON.stringify(await m.handler({ body: "hello from lambda-pack", name: "demo" })))'`;
    const tar = spawnSync('tar', ['-C', dir, '-cf', '-', '.'], { maxBuffer: 1 << 30 });
    const run = spawnSync('docker', ['run', '--rm', '-i', '--network', 'none', '--platform', platform[a.arch], '--entrypoint', '/bin/sh', nodeImage[a.arch], '-c',
      `mkdir -p /var/task && tar -C /var/task -xf - --no-same-owner && chmod 755 /var/task && exec setpriv --reuid=993 --regid=990 --clear-groups /bin/sh -c "$0"`, script], { input: tar.stdout });
    const answer = run.status === 0 ? run.stdout.toString().trim() : `FAILED: ${run.stderr.toString().trim()}`;
    console.log(`${a.path.padEnd(24)} → ${answer}`);
    if (run.status !== 0) process.exitCode = 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
