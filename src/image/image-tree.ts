// The image's merged filesystem under the paths Lambda cares about (/var/task, /var/runtime, /opt),
// read from its layer blobs bottom to top with OCI whiteouts applied, for the image checks.
import { createGunzip } from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import path from 'node:path';
import tar from 'tar-stream';
import type { BlobStore } from './blob-store.js';
import type { ImageLayer } from './image.js';
import { OCI_LAYER_TAR } from './media-types.js';

export interface ImageFile {
  readonly kind: 'file' | 'directory' | 'symlink';
  /** Permission bits. */
  readonly mode: number;
  readonly linkTarget?: string;
}

/** Absolute paths (no trailing slash) to what is there in the final image. */
export type ImageTree = Map<string, ImageFile>;

export const WATCHED = ['/var/task', '/var/runtime', '/opt'] as const;

function watched(absolute: string): boolean {
  return WATCHED.some((root) => absolute === root || absolute.startsWith(`${root}/`));
}

function removeUnder(tree: ImageTree, dir: string, keepDir: boolean): void {
  for (const key of [...tree.keys()]) if ((!keepDir && key === dir) || key.startsWith(`${dir}/`)) tree.delete(key);
}

/** Applies one layer tar to the tree: whiteouts delete what lower layers had, entries add or replace. */
async function applyLayer(tree: ImageTree, stream: NodeJS.ReadableStream, compressed: boolean): Promise<void> {
  const extract = tar.extract();
  const opaque = new Set<string>();
  const added: [string, ImageFile][] = [];
  extract.on('entry', (header, body, next) => {
    body.resume();
    body.on('end', next);
    const absolute = path.posix.join('/', header.name);
    const base = path.posix.basename(absolute);
    const dir = path.posix.dirname(absolute);
    if (base === '.wh..wh..opq') { if (watched(dir) || WATCHED.some((r) => r.startsWith(`${dir}/`))) opaque.add(dir); return; }
    if (base.startsWith('.wh.')) { removeUnder(tree, path.posix.join(dir, base.slice(4)), false); return; }
    if (!watched(absolute)) return;
    const kind = header.type === 'directory' ? 'directory' : header.type === 'symlink' ? 'symlink' : header.type === 'file' || header.type === 'contiguous-file' ? 'file' : undefined;
    if (!kind) return;
    added.push([absolute, { kind, mode: (header.mode ?? 0) & 0o7777, ...(kind === 'symlink' ? { linkTarget: header.linkname ?? '' } : {}) }]);
  });
  await (compressed ? pipeline(stream, createGunzip(), extract) : pipeline(stream, extract));
  // An opaque directory hides only what lower layers put in it, not this layer's own entries.
  for (const dir of opaque) removeUnder(tree, dir, true);
  for (const [absolute, file] of added) {
    if (file.kind !== 'directory') removeUnder(tree, absolute, true);
    tree.set(absolute, file);
  }
}

/** The merged tree of the image's layers (every layer blob must be in the store). */
export async function readImageTree(layers: readonly ImageLayer[], store: BlobStore): Promise<ImageTree> {
  const tree: ImageTree = new Map();
  for (const layer of layers) {
    await applyLayer(tree, store.stream(layer.descriptor.digest), layer.descriptor.mediaType !== OCI_LAYER_TAR);
  }
  return tree;
}

/** Follows symlinks (at most 16) to what a path names in the tree, or undefined. */
export function resolveInTree(tree: ImageTree, absolute: string): { path: string; file: ImageFile } | undefined {
  let current = path.posix.normalize(absolute);
  for (let hops = 0; hops < 16; hops++) {
    const file = tree.get(current);
    if (!file) return undefined;
    if (file.kind !== 'symlink') return { path: current, file };
    current = path.posix.resolve(path.posix.dirname(current), file.linkTarget!);
  }
  return undefined;
}
