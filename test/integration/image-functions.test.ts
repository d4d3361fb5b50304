// Image functions end to end: the same install as a zip, then a reproducible image per
// architecture on the runtime's base image, pushed to a real registry on loopback (only what it
// lacks) or loaded into the engine, pulled back by digest and invoked through the Runtime API.
// Once on the offline stand-ins, once through imageMirror as the official images are.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lambdaPack } from '../helpers/cli.js';
import { requireEngine } from '../helpers/docker.js';
import { tempProject } from '../helpers/project.js';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';
import type { Manifest } from '../../src/package/manifest.js';

const ARCHES = ['x86_64', 'arm64'] as const;
const LOCK = JSON.stringify({
  name: 'img', version: '1.0.0', lockfileVersion: 3, requires: true,
  packages: {
    '': { name: 'img', version: '1.0.0', dependencies: { ms: '2.1.3' } },
    'node_modules/ms': { version: '2.1.3', resolved: 'https://registry.npmjs.org/ms/-/ms-2.1.3.tgz', integrity: 'sha512-6FlzubTLZG3J2a/NVCAleEhjzq5oxgHyaCU9yYXvcLsvoVaHJq/s5xXI6/XXP6tz7R9xAOtHnSO/tXtF3WRTlA==', license: 'MIT' },
  },
});

let registry: TestRegistry;
const project = tempProject({
  'fn/index.js': "const ms = require('ms');\nexports.handler = async (event) => ({ hello: event.name, day: ms('1d'), arch: process.arch });\n",
  'fn/package.json': JSON.stringify({ name: 'img', version: '1.0.0', dependencies: { ms: '2.1.3' } }),
  'fn/package-lock.json': LOCK,
  'event.json': '{"name":"image"}',
});
const manifest = (): Manifest => JSON.parse(readFileSync(path.join(project.root, 'dist/manifest.json'), 'utf8'));
const config = (extra: string) => `imageSet: local\ncertificates: system\narchitectures: [x86_64, arm64]\n${extra}functions:\n  api:\n    runtime: nodejs22.x\n    source: fn\n    handler: index.handler\n    packageType: image\n    imageOutput: { repository: ${registry.host}/lambda-pack/api, tag: v1 }\n`;
const build = (args: string[] = []) => lambdaPack(['build', '--push', '--json', ...args], { cwd: project.root });

beforeAll(async () => {
  await requireEngine();
  registry = await startRegistry();
  project.file('lambda-pack.config.yaml', config(''));
  const first = await build();
  expect(first.exitCode, first.stderr).toBe(0);
}, 900_000);

afterAll(async () => { await registry?.close(); project.remove(); });

describe('image functions', () => {
  it.each(ARCHES)('push one single-platform manifest per architecture (%s), recorded with its URI', async (arch) => {
    const record = manifest().artifacts.find((a) => a.arch === arch)!;
    expect(record.containerImage).toMatchObject({ repository: `${registry.host}/lambda-pack/api`, tag: `v1-${arch}`, pushed: true, uri: `${registry.host}/lambda-pack/api@${record.containerImage!.digest}` });
    const { stdout } = await execa('curl', ['-fsS', '-H', 'Accept: application/vnd.oci.image.manifest.v1+json', `http://${registry.host}/v2/lambda-pack/api/manifests/v1-${arch}`]);
    const pushed = JSON.parse(stdout) as { mediaType: string; layers: unknown[] };
    expect(pushed.mediaType).toBe('application/vnd.oci.image.manifest.v1+json');
    expect(record.findings).toEqual([]);
  });

  it.each(ARCHES)('are pulled back by digest and answer through lambda-pack invoke on %s', async (arch) => {
    const record = manifest().artifacts.find((a) => a.arch === arch)!;
    await execa('docker', ['pull', '--platform', arch === 'x86_64' ? 'linux/amd64' : 'linux/arm64', record.containerImage!.uri!]);
    const result = await lambdaPack(['invoke', 'api', '--arch', arch, '--event', 'event.json'], { cwd: project.root });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ hello: 'image', day: 86400000, arch: arch === 'x86_64' ? 'x64' : 'arm64' });
  }, 180_000);

  it('push nothing when nothing changed, and only the code layer when only the code changed', async () => {
    registry.mark();
    const again = await build();
    expect(again.exitCode, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout).artifacts.map((a: { action: string }) => a.action)).toEqual(['reuse', 'reuse']);
    expect(registry.uploads()).toEqual([]);
    const before = manifest().artifacts.map((a) => a.containerImage!.digest);
    writeFileSync(path.join(project.root, 'fn/index.js'), `${readFileSync(path.join(project.root, 'fn/index.js'), 'utf8')}// v2\n`);
    registry.mark();
    const changed = await build();
    expect(changed.exitCode, changed.stderr).toBe(0);
    // The new code layer (the same bytes for both architectures: uploaded once) and each
    // architecture's new config; manifests are put, not uploaded as blobs.
    expect(registry.uploads()).toHaveLength(3);
    expect(manifest().artifacts.map((a) => a.containerImage!.digest)).not.toEqual(before);
  }, 600_000);

  it('give the same digest again from a fresh cache with --no-cache', async () => {
    const before = manifest().artifacts.map((a) => a.containerImage!.digest);
    const fresh = await lambdaPack(['build', '--push', '--no-cache', '--out', path.join(project.root, 'again')], { cwd: project.root, env: { LAMBDA_PACK_CACHE_DIR: path.join(project.root, 'cache') } });
    expect(fresh.exitCode, fresh.stderr).toBe(0);
    const again = JSON.parse(readFileSync(path.join(project.root, 'again/manifest.json'), 'utf8')) as Manifest;
    expect(again.artifacts.map((a) => a.containerImage!.digest)).toEqual(before);
  }, 600_000);

  it('build on the official base image read through imageMirror, as from an ECR pull-through cache', async () => {
    // The stand-ins pushed where the mirror says the official images are.
    const images = await lambdaPack(['images', 'build']);
    for (const arch of ARCHES) {
      const local = new RegExp(`^runtime-nodejs22\\.x ${arch}: (\\S+)$`, 'm').exec(images.stderr)![1]!;
      const mirrored = `${registry.host}/ecr-public/lambda/nodejs:22-${arch}`;
      await execa('docker', ['tag', local, mirrored]);
      await execa('docker', ['push', mirrored]);
    }
    const buildImage = (arch: string) => new RegExp(`^nodejs22\\.x ${arch}: (\\S+)$`, 'm').exec(images.stderr)![1]!;
    project.file('lambda-pack.config.yaml', config(`imageMirror: ${registry.host}/ecr-public\nimages:\n  nodejs22.x: { x86_64: ${buildImage('x86_64')}, arm64: ${buildImage('arm64')} }\n`).replace('imageSet: local\n', ''));
    const plan = await lambdaPack(['plan', '--json'], { cwd: project.root });
    expect(JSON.parse(plan.stdout).tasks[0].output.image.base).toEqual({ kind: 'reference', ref: `${registry.host}/ecr-public/lambda/nodejs:22-x86_64`, origin: 'official' });
    const official = await build();
    expect(official.exitCode, official.stderr).toBe(0);
    const record = manifest().artifacts.find((a) => a.arch === 'arm64')!;
    expect(record.containerImage!.baseDigest).toMatch(/^sha256:/);
    const result = await lambdaPack(['invoke', 'api', '--arch', 'arm64', '--event', 'event.json'], { cwd: project.root });
    expect(JSON.parse(result.stdout)).toMatchObject({ hello: 'image', arch: 'arm64' });
  }, 900_000);
});
