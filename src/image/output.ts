// Images without a push: an OCI image layout directory under the output dir, or a load into the
// task's engine (POST /images/load) so `docker run` works. Both need every blob in the store
// (ensureImageBlobs); both carry the very manifest a push would, so the digest is the same.
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import tar from 'tar-stream';
import type { Engine } from '../docker/engine.js';
import { followToEnd, inspectImage } from '../docker/image-info.js';
import { ExternalError } from '../errors.js';
import { BlobStore } from './blob-store.js';
import { hexOf, type Digest } from './digest.js';
import type { AssembledImage } from './image.js';
import { OCI_INDEX } from './media-types.js';

const LAYOUT = JSON.stringify({ imageLayoutVersion: '1.0.0' });
/** The archive's fixed entry time, so the same image gives the same archive bytes. */
const EPOCH = new Date(Date.UTC(1980, 0, 1));

/** index.json of a layout: the local entry point to the one manifest (an index file, but never pushed). */
function layoutIndex(image: AssembledImage, refName: string | undefined): string {
  return JSON.stringify({
    schemaVersion: 2, mediaType: OCI_INDEX,
    manifests: [{
      mediaType: image.manifestMediaType, digest: image.manifestDigest, size: image.manifest.length,
      ...(refName ? { annotations: { 'org.opencontainers.image.ref.name': refName } } : {}),
      platform: image.platform,
    }],
  });
}

function blobsOf(image: AssembledImage): { digest: Digest; size: number }[] {
  const all = [
    { digest: image.manifestDigest, size: image.manifest.length },
    { digest: image.configDescriptor.digest, size: image.configDescriptor.size },
    ...image.layers.map((l) => ({ digest: l.descriptor.digest, size: l.descriptor.size })),
  ];
  return [...new Map(all.map((b) => [b.digest, b])).values()];
}

/**
 * Writes `dir` as an OCI image layout (oci-layout, index.json, blobs/sha256/…; blobs hard-linked from
 * the store where possible). Built beside it and renamed into place: a reader never sees half of one.
 */
export async function writeOciLayout(image: AssembledImage, store: BlobStore, dir: string, refName?: string): Promise<void> {
  const temp = path.join(path.dirname(dir), `.${path.basename(dir)}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
  const old = `${temp}-old`;
  try {
    await mkdir(temp, { recursive: true });
    const target = new BlobStore(temp);
    for (const blob of blobsOf(image)) await store.exportTo(blob.digest, target);
    await writeFile(path.join(temp, 'oci-layout'), LAYOUT);
    await writeFile(path.join(temp, 'index.json'), layoutIndex(image, refName));
    await rename(dir, old).catch((error: NodeJS.ErrnoException) => { if (error.code !== 'ENOENT') throw error; });
    await rename(temp, dir);
  } finally {
    await rm(temp, { recursive: true, force: true });
    await rm(old, { recursive: true, force: true });
  }
}

/**
 * The image as one tar that is both an OCI layout and a `docker save` archive (manifest.json with
 * RepoTags), as Docker 25 writes them: engines old and new load it.
 */
export function imageArchive(image: AssembledImage, store: BlobStore, repoTag: string): NodeJS.ReadableStream {
  const pack = tar.pack();
  const entry = (name: string, content: string) => pack.entry({ name, mtime: EPOCH, mode: 0o644, uid: 0, gid: 0 }, content);
  void (async () => {
    entry('oci-layout', LAYOUT);
    entry('index.json', layoutIndex(image, repoTag));
    entry('manifest.json', JSON.stringify([{
      Config: `blobs/sha256/${hexOf(image.configDescriptor.digest)}`,
      RepoTags: [repoTag],
      Layers: image.layers.map((l) => `blobs/sha256/${hexOf(l.descriptor.digest)}`),
    }]));
    for (const blob of blobsOf(image)) {
      const sink = pack.entry({ name: `blobs/sha256/${hexOf(blob.digest)}`, size: blob.size, mtime: EPOCH, mode: 0o644, uid: 0, gid: 0 });
      await new Promise<void>((resolve, reject) => {
        const source = store.stream(blob.digest);
        source.on('error', reject);
        sink.on('finish', resolve).on('error', reject);
        source.pipe(sink);
      });
    }
    pack.finalize();
  })().catch((error: unknown) => pack.destroy(error as Error));
  return pack as unknown as NodeJS.ReadableStream;
}

/** Loads the image into the engine under `repoTag`; returns the engine's image ID. */
export async function loadIntoEngine(engine: Engine, image: AssembledImage, store: BlobStore, repoTag: string): Promise<string> {
  try {
    const docker = await engine.client();
    await followToEnd(docker, await docker.loadImage(imageArchive(image, store, repoTag) as unknown as string, { quiet: true }));
  } catch (error) {
    throw new ExternalError('IMAGE_LOAD_FAILED', `The engine at ${engine.address} could not load the image ${repoTag} (${image.manifestDigest}): ${(error as Error).message}. Check the engine's disk space and logs.`, {}, { cause: error });
  }
  const info = await inspectImage(engine, repoTag);
  // The classic image store names an image by its config digest, the containerd store by its manifest digest.
  if (!info || (info.Id !== image.configDescriptor.digest && info.Id !== image.manifestDigest)) {
    throw new ExternalError('IMAGE_LOAD_FAILED', `The engine at ${engine.address} loaded ${repoTag} as ${info?.Id ?? 'nothing'}, not as ${image.configDescriptor.digest}. Load it again; if it persists, report it.`);
  }
  return info.Id;
}
