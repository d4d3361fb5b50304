// An image on a Docker engine (a Dockerfile build) as an image lambda-pack can push: `docker save`
// through the API, each layer gzipped deterministically into the blob store (or, where its diffID
// is the base's, the base's own compressed layer reused), the engine's config kept byte for byte.
import { randomBytes } from 'node:crypto';
import { closeSync, createReadStream, createWriteStream, openSync, readSync, statSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import { ExternalError } from '../errors.js';
import type { Engine } from '../docker/engine.js';
import type { Architecture } from '../runtimes.js';
import type { BaseImage } from './assemble.js';
import type { BlobStore } from './blob-store.js';
import type { Digest } from './digest.js';
import { gzipInto, type ByteSource, type GzipOptions } from './gzip.js';
import { imageOf, parseJson, type AssembledImage, type Descriptor, type ImageConfig, type ImageLayer } from './image.js';
import { OCI_LAYER_GZIP, ociLayerType } from './media-types.js';

export interface EngineImageOptions extends GzipOptions {
  readonly arch: Architecture;
  /** The image the Dockerfile builds FROM, as read from its registry: its layers are reused, not recompressed. */
  readonly base?: BaseImage;
}

/** A layer file of `docker save`, read synchronously for the gzip writer. */
function fileSource(file: string): ByteSource & { close(): void } {
  const length = statSync(file).size;
  const fd = openSync(file, 'r');
  let position = 0;
  return {
    length,
    read(into) {
      for (let got = 0; got < into.length;) {
        const read = readSync(fd, into, got, into.length - got, position);
        if (read === 0) throw new ExternalError('IMAGE_SAVE_TRUNCATED', `the saved layer ${file} ended early`);
        got += read;
        position += read;
      }
    },
    close: () => closeSync(fd),
  };
}

async function saveTo(engine: Engine, ref: string, dir: string): Promise<void> {
  const docker = await engine.client();
  const extract = tar.extract();
  extract.on('entry', (header, stream, next) => {
    const target = path.resolve(dir, header.name);
    if (header.type !== 'file' || !target.startsWith(dir + path.sep)) { stream.resume(); stream.on('end', next); return; }
    void mkdir(path.dirname(target), { recursive: true }).then(() => pipeline(stream, createWriteStream(target))).then(() => next(), next);
  });
  try {
    const saved = await docker.getImage(ref).get();
    await pipeline(saved, extract);
  } catch (error) {
    throw new ExternalError('IMAGE_SAVE_FAILED', `The engine at ${engine.address} could not export image ${ref} (docker save): ${(error as Error).message}. Check that the image exists there.`, {}, { cause: error });
  }
}

async function isGzip(file: string): Promise<boolean> {
  const { open } = await import('node:fs/promises');
  const handle = await open(file, 'r');
  try {
    const head = Buffer.alloc(2);
    await handle.read(head, 0, 2, 0);
    return head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    await handle.close();
  }
}

async function layerFromFile(file: string, diffId: Digest, store: BlobStore, options: GzipOptions, ref: string): Promise<ImageLayer> {
  if (await isGzip(file)) {
    // An engine with the containerd image store saves layers as they were pulled: already compressed.
    const writer = await store.writer();
    let blob: Awaited<ReturnType<typeof writer.commit>>;
    try {
      for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) await writer.append(chunk);
      blob = await writer.commit();
    } catch (error) {
      await writer.discard();
      throw error;
    }
    return { descriptor: { mediaType: OCI_LAYER_GZIP, digest: blob.digest, size: blob.size }, diffId, origin: { kind: 'built' } };
  }
  const source = fileSource(file);
  const writer = await store.writer();
  try {
    const tarInfo = await gzipInto(source, writer, options);
    if (`sha256:${tarInfo.uncompressedSha256}` !== diffId) {
      throw new ExternalError('IMAGE_SAVE_MISMATCH', `A layer of ${ref} as the engine exported it has the diffID sha256:${tarInfo.uncompressedSha256}, not ${diffId} as its config says. Rebuild the image.`);
    }
    const blob = await writer.commit();
    return { descriptor: { mediaType: OCI_LAYER_GZIP, digest: blob.digest, size: blob.size }, diffId, uncompressedSize: tarInfo.uncompressedLength, origin: { kind: 'built' } };
  } catch (error) {
    await writer.discard();
    throw error;
  } finally {
    source.close();
  }
}

/** The engine's image `ref` as a single-platform OCI image whose blobs are in `store`. */
export async function imageFromEngine(engine: Engine, ref: string, store: BlobStore, options: EngineImageOptions): Promise<AssembledImage> {
  const dir = path.join(store.root, `.save-${process.pid}-${randomBytes(6).toString('hex')}`);
  await mkdir(dir, { recursive: true });
  try {
    await saveTo(engine, ref, dir);
    const saved = parseJson<{ Config: string; Layers: string[] }[]>(await readFile(path.join(dir, 'manifest.json')), `the manifest.json that docker save wrote for ${ref}`);
    if (saved.length !== 1) throw new ExternalError('IMAGE_SAVE_FAILED', `docker save of ${ref} holds ${saved.length} images; expected one.`);
    const configBytes = await readFile(path.resolve(dir, saved[0]!.Config));
    const config = parseJson<ImageConfig>(configBytes, `the config of ${ref}`);
    const { arch } = options;
    if (config.architecture !== arch.dockerArch || config.os !== 'linux') {
      throw new ExternalError('IMAGE_WRONG_ARCH', `Image ${ref} is ${config.os}/${config.architecture}, but this task builds for ${arch.name} (${arch.dockerPlatform}). Build it for ${arch.dockerPlatform}.`);
    }
    const diffIds = config.rootfs.diff_ids;
    if (diffIds.length !== saved[0]!.Layers.length) throw new ExternalError('IMAGE_SAVE_FAILED', `docker save of ${ref} has ${saved[0]!.Layers.length} layers but its config lists ${diffIds.length}.`);
    const layers: ImageLayer[] = [];
    let sharesBase = true;
    for (const [index, layerPath] of saved[0]!.Layers.entries()) {
      const base = options.base;
      const baseLayer = base?.manifest.layers[index];
      sharesBase &&= !!base && !!baseLayer && base.config.rootfs.diff_ids[index] === diffIds[index] && !!ociLayerType(baseLayer.mediaType);
      if (sharesBase && base && baseLayer) {
        const descriptor: Descriptor = { mediaType: ociLayerType(baseLayer.mediaType)!, digest: baseLayer.digest, size: baseLayer.size };
        layers.push({ descriptor, diffId: diffIds[index]!, origin: { kind: 'base', registry: base.registry, repository: base.repository } });
      } else {
        layers.push(await layerFromFile(path.resolve(dir, layerPath), diffIds[index]!, store, options, ref));
      }
    }
    return imageOf(configBytes, layers, { architecture: config.architecture, os: config.os, ...(config.variant ? { variant: config.variant } : {}) });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
