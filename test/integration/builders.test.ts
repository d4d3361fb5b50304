// fixtures/demo on the real engine: npm, pip, cargo and make functions and three layers, for
// x86_64 and arm64; every artifact proven to run in a container of its architecture.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lambdaPack, REPO } from '../helpers/cli.js';
import { requireEngine, runWithMounts } from '../helpers/docker.js';
import { localImage, localPythonImage } from '../helpers/pip-steps.js';
import { startRuntimeApi } from '../helpers/runtime-api.js';
import { elfMachine, extractZip, sha256, zipEntries } from '../helpers/zip.js';
import { buildAsUser, notOwnedBy } from '../helpers/user.js';
import type { ArtifactRecord, Manifest } from '../../src/package/manifest.js';
import type { ArchName } from '../../src/runtimes.js';

const DEMO = path.join(REPO, 'fixtures/demo');
const ARCHES = [{ arch: 'x86_64', machine: 62 }, { arch: 'arm64', machine: 183 }] as const;
const out = mkdtempSync(path.join(os.tmpdir(), 'lambda-pack-demo-build-'));
const extracted: string[] = [];
let manifest: Manifest;

function record(name: string, arch: ArchName): ArtifactRecord {
  const found = manifest.artifacts.find((a) => a.name === name && a.arch === arch);
  if (!found) throw new Error(`no artifact ${name}-${arch} in the manifest`);
  return found;
}

async function unpacked(name: string, arch: ArchName): Promise<string> {
  const dir = await extractZip(path.join(out, `${name}-${arch}.zip`));
  extracted.push(dir);
  return dir;
}

beforeAll(async () => {
  await requireEngine();
  const result = await lambdaPack(['build', '--out', out, '--json'], { cwd: DEMO });
  expect(result.exitCode, result.stderr).toBe(0);
  manifest = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8'));
}, 900_000);

afterAll(() => { for (const dir of [out, ...extracted]) rmSync(dir, { recursive: true, force: true }); });

describe.each(ARCHES)('the demo on $arch', ({ arch, machine }) => {
  it('ships native files of that architecture only, in every zip', async () => {
    let natives = 0;
    for (const artifact of manifest.artifacts.filter((a) => a.arch === arch)) {
      const dir = await unpacked(artifact.name, arch);
      for (const entry of await zipEntries(path.join(out, artifact.path))) {
        if (entry.endsWith('/')) continue;
        const found = await elfMachine(path.join(dir, entry));
        if (found !== undefined) { natives++; expect(found, `${artifact.path}: ${entry}`).toBe(machine); }
      }
    }
    // node addon + prebuilt (twice), python extension, rust and C bootstraps, libgreet.so and greet.
    expect(natives).toBe(8);
  });

  it('imports the pip function, whose C extension computes', async () => {
    // The python3.11 image of the architecture: a cross-compiled zip's own build image is x86_64's.
    const stdout = await runWithMounts(await localPythonImage(arch), arch, [{ dir: await unpacked('stats', arch), target: '/var/task' }],
      `cd /var/task && python3.11 -c 'import json, app; print(json.dumps(app.handler({"numbers": [3, 4, 12]})))'`);
    expect(JSON.parse(stdout)).toEqual({ sumOfSquares: 169, summary: '3 numbers, sum of squares 169.', compiledFor: arch, machine: arch === 'x86_64' ? 'x86_64' : 'aarch64' });
  }, 120_000);

  it.each([['squares', 'rust'], ['csquares', 'c']])('runs the %s bootstrap against the Runtime API', async (name, language) => {
    const api = await startRuntimeApi({ numbers: [3, 4, 12], note: 'sum me' });
    const container = `lambda-pack-test-${name}-${arch}-${process.pid}`;
    // Both bootstraps are cross-compiled for arm64 in the x86_64 image: they run in the image of their architecture.
    const run = runWithMounts(await localImage('provided.al2023', arch), arch, [{ dir: await unpacked(name, arch), target: '/var/task' }],
      'exec /var/task/bootstrap', { docker: ['--network', 'host', '--name', container, '-e', `AWS_LAMBDA_RUNTIME_API=${api.address}`] }).catch(() => '');
    try {
      const response = await api.response;
      expect(JSON.parse(response)).toEqual({ language, count: 3, sumOfSquares: 169, arch });
    } finally {
      await execa('docker', ['rm', '-f', container], { reject: false });
      await run;
      await api.close();
    }
  }, 120_000);

  it('loads layer code at the Lambda paths: /opt/python, /opt/lib and /opt/bin', async () => {
    const mounts = [
      { dir: await unpacked('greeter', arch), target: '/var/task' },
      { dir: await unpacked('pylib', arch), target: '/opt' },
    ];
    // Layers are extracted in order into /opt; clib adds lib/ and bin/ beside python/.
    const clib = await unpacked('clib', arch);
    const stdout = await runWithMounts(await localPythonImage(arch), arch, [...mounts, { dir: path.join(clib, 'lib'), target: '/opt/lib' }, { dir: path.join(clib, 'bin'), target: '/opt/bin' }],
      `cd /var/task && export PYTHONPATH=/opt/python LD_LIBRARY_PATH=/opt/lib PATH=/opt/bin:$PATH && ` +
      `python3.11 -c 'import json, app; print(json.dumps(app.handler({"name": "layers", "title": "Héllo, Wörld!"})))' && greet tool`);
    const [handlerLine, toolLine] = stdout.trim().split('\n');
    expect(JSON.parse(handlerLine!)).toEqual({ greeting: `hello, layers, from ${arch}`, slug: 'hello-world' });
    expect(toolLine).toBe(`hello, tool, from ${arch}`);
  }, 120_000);

  it('loads a Node module from the layer at /opt/nodejs/node_modules', async () => {
    const stdout = await runWithMounts(await localImage('nodejs22.x', arch), arch,
      [{ dir: await unpacked('sizes', arch), target: '/var/task' }, { dir: await unpacked('nodelib', arch), target: '/opt' }],
      `cd /tmp && NODE_PATH=/opt/nodejs/node22/node_modules:/opt/nodejs/node_modules node -e 'require("/var/task/index.js").handler({ size: 1048576, text: "3KB" }).then((r) => console.log(JSON.stringify(r)))'`);
    expect(JSON.parse(stdout)).toEqual({ human: '1MB', parsed: 3072 });
  }, 120_000);
});

describe('the demo, built again', () => {
  it('gives byte-identical zips for every builder and architecture when everything is built again from scratch', async () => {
    const again = mkdtempSync(path.join(os.tmpdir(), 'lambda-pack-demo-again-'));
    try {
      const result = await lambdaPack(['build', '--no-cache', '--out', again], { cwd: DEMO });
      expect(result.exitCode, result.stderr).toBe(0);
      for (const artifact of manifest.artifacts) {
        expect(await sha256(path.join(again, artifact.path)), artifact.path).toBe(artifact.sha256);
      }
    } finally { rmSync(again, { recursive: true, force: true }); }
  }, 900_000);

  it('writes files owned by a non-root invoking user, with the same bytes, for pip, cargo, make and layers', async () => {
    const names = ['stats', 'squares', 'csquares', 'clib', 'pylib', 'nodelib'];
    const build = await buildAsUser(path.join(REPO, 'fixtures'), 'demo', ['--arch', 'x86_64', ...names]);
    try {
      expect(build.exitCode, build.stderr).toBe(0);
      expect(notOwnedBy(build.outDir, build.uid)).toEqual([]);
      for (const name of names) {
        expect(await sha256(path.join(build.outDir, `${name}-x86_64.zip`)), name).toBe(record(name, 'x86_64').sha256);
      }
    } finally { rmSync(build.home, { recursive: true, force: true }); }
  }, 600_000);

  it('records layers with their compatible runtimes and architectures', () => {
    expect(record('clib', 'arm64')).toMatchObject({ kind: 'layer', builder: 'make', runtimes: ['provided.al2023', 'python3.11', 'nodejs22.x'], arch: 'arm64' });
    expect(record('pylib', 'x86_64')).toMatchObject({ kind: 'layer', builder: 'pip', runtimes: ['python3.11'] });
  });
});
