import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assembleImage, type BaseImage } from '../../src/image/assemble.js';
import { BlobStore } from '../../src/image/blob-store.js';
import type { Digest } from '../../src/image/digest.js';
import { writeLayer, type Layer } from '../../src/image/layer.js';
import { ARCHITECTURES } from '../../src/runtimes.js';

const d = (c: string) => `sha256:${c.repeat(64)}` as Digest;
const CREATED = new Date(Date.UTC(1980, 0, 1));

function base(overrides: Partial<BaseImage['config']> = {}, layerType = 'application/vnd.docker.image.rootfs.diff.tar.gzip'): BaseImage {
  return {
    reference: '127.0.0.1:5000/ecr-public/lambda/nodejs:22-arm64', registry: '127.0.0.1:5000', repository: 'ecr-public/lambda/nodejs', digest: d('b'),
    manifest: {
      schemaVersion: 2, mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      config: { mediaType: 'application/vnd.docker.container.image.v1+json', digest: d('c'), size: 100 },
      layers: [{ mediaType: layerType, digest: d('1'), size: 10 }, { mediaType: layerType, digest: d('2'), size: 20 }],
    },
    config: {
      architecture: 'arm64', os: 'linux', variant: 'v8', created: '2026-01-01T00:00:00Z',
      config: { Env: ['LAMBDA_TASK_ROOT=/var/task', 'PATH=/usr/bin'], Entrypoint: ['/lambda-entrypoint.sh'], Cmd: ['base.handler'], WorkingDir: '/var/task' },
      rootfs: { type: 'layers', diff_ids: [d('3'), d('4')] },
      history: [{ created: '2026-01-01T00:00:00Z', created_by: 'base step' }],
      container_config: { Hostname: 'builder-42' }, docker_version: '20.10', container: 'abc',
      ...overrides,
    },
  };
}

let dir: string;
let deps: Layer;
let code: Layer;
let code2: Layer;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'assemble-test-'));
  const store = new BlobStore(dir);
  const text = (s: string) => new TextEncoder().encode(s);
  deps = await writeLayer([{ path: 'var/task/node_modules/dep/index.js', kind: 'file', content: text('module.exports = 1;\n') }], store, { mtime: CREATED });
  code = await writeLayer([{ path: 'var/task/index.js', kind: 'file', content: text('exports.handler = async () => 1;\n') }], store, { mtime: CREATED });
  code2 = await writeLayer([{ path: 'var/task/index.js', kind: 'file', content: text('exports.handler = async () => 2;\n') }], store, { mtime: CREATED });
});
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

function assemble(top: Layer, b = base()) {
  return assembleImage({
    base: b, arch: ARCHITECTURES.arm64, cmd: ['index.handler'], created: CREATED,
    layers: [{ layer: deps, createdBy: 'lambda-pack: dependencies at /var/task' }, { layer: top, createdBy: 'lambda-pack: function code at /var/task' }],
  });
}

describe('assembleImage', () => {
  it('keeps the base config but for Cmd, created, diff_ids and history, and drops the base\'s build-container fields', () => {
    const image = assemble(code);
    const config = JSON.parse(Buffer.from(image.config).toString('utf8'));
    expect(config).toEqual({
      architecture: 'arm64', os: 'linux', variant: 'v8', created: '1980-01-01T00:00:00Z',
      config: { Env: ['LAMBDA_TASK_ROOT=/var/task', 'PATH=/usr/bin'], Entrypoint: ['/lambda-entrypoint.sh'], Cmd: ['index.handler'], WorkingDir: '/var/task' },
      rootfs: { type: 'layers', diff_ids: [d('3'), d('4'), deps.diffId, code.diffId] },
      history: [
        { created: '2026-01-01T00:00:00Z', created_by: 'base step' },
        { created: '1980-01-01T00:00:00Z', created_by: 'lambda-pack: dependencies at /var/task', comment: 'lambda-pack' },
        { created: '1980-01-01T00:00:00Z', created_by: 'lambda-pack: function code at /var/task', comment: 'lambda-pack' },
      ],
    });
    expect(image.platform).toEqual({ architecture: 'arm64', os: 'linux', variant: 'v8' });
  });

  it('writes one OCI image manifest: base layers untouched but for the media type name, ours on top', () => {
    const image = assemble(code);
    const manifest = JSON.parse(Buffer.from(image.manifest).toString('utf8'));
    expect(manifest).toEqual({
      schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: image.configDescriptor.digest, size: image.config.length },
      layers: [
        { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: d('1'), size: 10 },
        { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: d('2'), size: 20 },
        { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: deps.digest, size: deps.size },
        { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: code.digest, size: code.size },
      ],
    });
    expect(image.layers.map((l) => l.origin.kind)).toEqual(['base', 'base', 'built', 'built']);
  });

  it('gives the same digest for the same inputs, pinned so a change in any byte is noticed', () => {
    expect(assemble(code).manifestDigest).toBe(assemble(code).manifestDigest);
    // Layers are the deterministic writer's output; pinning them pins the zlib output too (see README).
    expect(code.digest).toBe('sha256:0aeb4ee62e1b6f68a05ac4de2f570137b497d4d13cd9c05686592783e18fe9f5');
    expect(assemble(code).manifestDigest).toBe('sha256:593b1d1dcef4befbea2bc428830dd648de7272614b1e17b6a4b777784ece545d');
  });

  it('changes only the top layer when only the code changed', () => {
    const first = assemble(code);
    const second = assemble(code2);
    expect(second.manifestDigest).not.toBe(first.manifestDigest);
    expect(second.layers.slice(0, 3)).toEqual(first.layers.slice(0, 3));
    expect(second.layers[3]!.descriptor.digest).not.toBe(first.layers[3]!.descriptor.digest);
  });

  it('refuses a base of another architecture and a layer it cannot carry', () => {
    expect(() => assemble(code, base({ architecture: 'amd64' }))).toThrow(expect.objectContaining({ code: 'IMAGE_WRONG_ARCH' }));
    expect(() => assemble(code, base({}, 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip'))).toThrow(expect.objectContaining({ code: 'BASE_IMAGE_UNSUPPORTED' }));
    expect(() => assemble(code, base({ rootfs: { type: 'layers', diff_ids: [d('3')] } }))).toThrow(expect.objectContaining({ code: 'BASE_IMAGE_INVALID' }));
  });
});
