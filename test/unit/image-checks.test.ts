import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlobStore } from '../../src/image/blob-store.js';
import { checkImage, IMAGE_LIMIT_BYTES, type ImageCheckInput } from '../../src/image/checks.js';
import type { ImageConfig } from '../../src/image/image.js';
import { readImageTree, type ImageTree } from '../../src/image/image-tree.js';
import { bootstrapLinks, placeUnder, treeOfInputs } from '../../src/image/layout.js';
import { writeLayer } from '../../src/image/layer.js';
import { ARCHITECTURES, runtime } from '../../src/runtimes.js';

const text = (s: string) => new TextEncoder().encode(s);

function config(cmd: string[] | undefined, over: Partial<ImageConfig> = {}): ImageConfig {
  return { architecture: 'amd64', os: 'linux', config: { Entrypoint: ['/lambda-entrypoint.sh'], ...(cmd ? { Cmd: cmd } : {}) }, rootfs: { type: 'layers', diff_ids: [] }, ...over };
}

function input(over: Partial<ImageCheckInput>): ImageCheckInput {
  return {
    manifestMediaType: 'application/vnd.oci.image.manifest.v1+json', platform: { architecture: 'amd64', os: 'linux' },
    config: config(['index.handler']), arch: ARCHITECTURES.x86_64, runtime: runtime('nodejs22.x'),
    layers: [{ size: 100, uncompressedSize: 300 }],
    tree: treeOfInputs(placeUnder('var/task', [{ path: 'index.js', kind: 'file', content: text('') }])),
    ...over,
  };
}

const codes = (i: ImageCheckInput) => checkImage(i).map((f) => `${f.code}:${f.path}`);

describe('image checks', () => {
  it('passes a single-platform image of the right architecture with its handler under /var/task', () => {
    expect(checkImage(input({}))).toEqual([]);
  });

  it('refuses an index and an image of another platform', () => {
    expect(codes(input({ manifestMediaType: 'application/vnd.oci.image.index.v1+json' }))).toEqual(['IMAGE_NOT_SINGLE_PLATFORM:']);
    expect(codes(input({ manifestMediaType: 'application/vnd.docker.distribution.manifest.list.v2+json' }))).toEqual(['IMAGE_NOT_SINGLE_PLATFORM:']);
    expect(codes(input({ platform: { architecture: 'arm64', os: 'linux' } }))).toEqual(['IMAGE_PLATFORM_MISMATCH:']);
    expect(checkImage(input({ config: config(['index.handler'], { architecture: 'arm64' }) }))[0]!.message).toMatch(/linux\/arm64, but the function runs on x86_64/);
  });

  it('counts the uncompressed size against 10 GiB, and says "at least" when a base layer was only measured compressed', () => {
    expect(codes(input({ layers: [{ size: 1, uncompressedSize: IMAGE_LIMIT_BYTES }] }))).toEqual([]);
    const over = checkImage(input({ layers: [{ size: 1, uncompressedSize: IMAGE_LIMIT_BYTES }, { size: 1 }] }));
    expect(over.map((f) => f.code)).toEqual(['IMAGE_TOO_LARGE']);
    expect(over[0]!.message).toMatch(/hold at least 10\.00 GiB uncompressed \(10737418241 bytes\)/);
  });

  it('finds a missing handler, a missing CMD, and a Python handler in a package directory', () => {
    expect(codes(input({ config: config(['app.handler']) }))).toEqual(['HANDLER_NOT_FOUND:/var/task/app.js']);
    expect(checkImage(input({ config: config(undefined) }))[0]!.message).toMatch(/no CMD/);
    const py = treeOfInputs(placeUnder('var/task', [{ path: 'pkg/__init__.py', kind: 'file', content: text('') }, { path: 'fast.cpython-312-x86_64-linux-gnu.so', kind: 'file', content: text('') }]));
    expect(codes(input({ runtime: runtime('python3.12'), tree: py, config: config(['pkg.handler']) }))).toEqual([]);
    expect(codes(input({ runtime: runtime('python3.12'), tree: py, config: config(['fast.handler']) }))).toEqual([]);
    expect(codes(input({ runtime: runtime('python3.12'), tree: py, config: config(['other.handler']) }))).toEqual(['HANDLER_NOT_FOUND:/var/task/other.py']);
  });

  it('wants an executable /var/runtime/bootstrap for provided images that keep the official entrypoint', () => {
    const provided = runtime('provided.al2023');
    const withLink = (executable: boolean) => treeOfInputs([...placeUnder('var/task', [{ path: 'bootstrap', kind: 'file', content: text(''), executable }]), ...bootstrapLinks(provided)]);
    expect(codes(input({ runtime: provided, tree: withLink(true), config: config(['bootstrap']) }))).toEqual([]);
    expect(codes(input({ runtime: provided, tree: withLink(false), config: config(['bootstrap']) }))).toEqual(['NOT_EXECUTABLE:/var/task/bootstrap']);
    expect(codes(input({ runtime: provided, tree: new Map(), config: config(['bootstrap']) }))).toEqual(['BOOTSTRAP_MISSING:/var/runtime/bootstrap']);
    expect(codes(input({ runtime: provided, tree: new Map(), config: config(['x'], { config: { Entrypoint: ['/var/task/main'] } }) }))).toEqual([]);
  });
});

describe('readImageTree', () => {
  let dir: string;
  let store: BlobStore;
  beforeAll(async () => { dir = await mkdtemp(path.join(os.tmpdir(), 'image-tree-')); store = new BlobStore(dir); });
  afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

  it('merges layers bottom to top, applying whiteouts and opaque directories', async () => {
    const lower = await writeLayer([
      { path: 'var/task/a.js', kind: 'file', content: text('a') }, { path: 'var/task/gone.js', kind: 'file', content: text('g') },
      { path: 'opt/lib/old.so', kind: 'file', content: text('o') }, { path: 'etc/passwd', kind: 'file', content: text('root') },
    ], store);
    const upper = await writeLayer([
      { path: 'var/task/.wh.gone.js', kind: 'file', content: text('') }, { path: 'opt/lib/.wh..wh..opq', kind: 'file', content: text('') },
      { path: 'opt/lib/new.so', kind: 'file', content: text('n') }, { path: 'var/task/b', kind: 'file', content: text('#!'), executable: true },
    ], store);
    const layer = (l: typeof lower) => ({ descriptor: { mediaType: l.mediaType, digest: l.digest, size: l.size }, diffId: l.diffId, origin: { kind: 'built' as const } });
    const tree: ImageTree = await readImageTree([layer(lower), layer(upper)], store);
    expect([...tree.entries()].filter(([, f]) => f.kind === 'file').map(([p, f]) => `${p} ${f.mode.toString(8)}`).sort())
      .toEqual(['/opt/lib/new.so 644', '/var/task/a.js 644', '/var/task/b 755']);
  });
});
