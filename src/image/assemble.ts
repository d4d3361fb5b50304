// Assembles a Lambda image from a base and lambda-pack's layers, purely: the base's layers untouched,
// its config kept but for Cmd, created and the new layers; one single-platform OCI manifest.
// Same inputs → the same bytes → the same manifest digest, on any machine.
import { ExternalError, InternalError } from '../errors.js';
import type { Architecture } from '../runtimes.js';
import type { Digest } from './digest.js';
import { imageOf, type AssembledImage, type Descriptor, type HistoryEntry, type ImageConfig, type ImageLayer, type ImageManifest, type Platform } from './image.js';
import type { Layer } from './layer.js';
import { ociLayerType } from './media-types.js';

/** A base image as read from its registry: one platform's manifest and config. */
export interface BaseImage {
  /** The reference it was read by (after imageMirror). */
  readonly reference: string;
  readonly registry: string;
  readonly repository: string;
  /** The platform manifest's digest: what pins the base (a cache key input). */
  readonly digest: Digest;
  readonly manifest: ImageManifest;
  readonly config: ImageConfig;
}

export interface LayerOnTop {
  readonly layer: Layer;
  /** The history line, e.g. "lambda-pack: function code at /var/task". */
  readonly createdBy: string;
}

export interface AssembleInput {
  readonly base: BaseImage;
  /** Bottom to top; the code layer last, so a code-only change replaces only the top layer. */
  readonly layers: readonly LayerOnTop[];
  /** The config's Cmd: [handler] for Lambda. */
  readonly cmd: readonly string[];
  readonly arch: Architecture;
  /** The config's created and the new history entries' time; default SOURCE_DATE_EPOCH, else 1980-01-01, as the layers' mtime. */
  readonly created: Date;
}

/** Fields of Docker's legacy config that describe the base's own build container, not this image. */
const BUILD_CONTAINER_FIELDS = ['container', 'container_config', 'docker_version', 'id', 'parent'];

function baseLayers(base: BaseImage): ImageLayer[] {
  const diffIds = base.config.rootfs?.diff_ids ?? [];
  if (diffIds.length !== base.manifest.layers.length) {
    throw new ExternalError('BASE_IMAGE_INVALID', `The base image ${base.reference} (${base.digest}) lists ${base.manifest.layers.length} layers but its config has ${diffIds.length} diff_ids: it is not a valid image. Use another base image or tag.`);
  }
  return base.manifest.layers.map((layer, index) => {
    const mediaType = ociLayerType(layer.mediaType);
    if (!mediaType || layer.urls) {
      throw new ExternalError('BASE_IMAGE_UNSUPPORTED', `The base image ${base.reference} has a layer of type ${layer.mediaType}${layer.urls ? ' with external URLs' : ''} (${layer.digest}), which lambda-pack cannot carry into a Lambda image. Use a base image whose layers are plain tar+gzip.`);
    }
    const descriptor: Descriptor = { mediaType, digest: layer.digest, size: layer.size, ...(layer.annotations ? { annotations: layer.annotations } : {}) };
    return { descriptor, diffId: diffIds[index]!, origin: { kind: 'base', registry: base.registry, repository: base.repository } };
  });
}

function platformOf(base: BaseImage, arch: Architecture): Platform {
  const { architecture, os, variant } = base.config;
  if (architecture !== arch.dockerArch || os !== 'linux') {
    throw new ExternalError('IMAGE_WRONG_ARCH', `The base image ${base.reference} (${base.digest}) is ${os}/${architecture}, but this task builds for ${arch.name} (${arch.dockerPlatform}). Use the ${arch.name} tag of the base image (or fix imageMirror).`);
  }
  return { architecture, os, ...(variant ? { variant } : {}) };
}

export function assembleImage(input: AssembleInput): AssembledImage {
  const { base, arch } = input;
  if (Number.isNaN(input.created.getTime())) throw new InternalError('IMAGE_INVALID_OPTION', 'image created time is an invalid Date');
  const platform = platformOf(base, arch);
  const created = input.created.toISOString().replace(/\.000Z$/, 'Z');
  const own: ImageLayer[] = input.layers.map(({ layer }) => ({
    descriptor: { mediaType: layer.mediaType, digest: layer.digest, size: layer.size },
    diffId: layer.diffId, uncompressedSize: layer.uncompressedSize, origin: { kind: 'built' },
  }));
  const layers = [...baseLayers(base), ...own];

  const kept: Record<string, unknown> = { ...base.config };
  for (const field of BUILD_CONTAINER_FIELDS) delete kept[field];
  const history: HistoryEntry[] = [
    ...(base.config.history ?? []),
    ...input.layers.map(({ createdBy }) => ({ created, created_by: createdBy, comment: 'lambda-pack' })),
  ];
  const config: ImageConfig = {
    ...kept,
    architecture: platform.architecture, os: platform.os, ...(platform.variant ? { variant: platform.variant } : {}),
    created,
    config: { ...base.config.config, Cmd: [...input.cmd] },
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
    history,
  };
  return imageOf(new TextEncoder().encode(JSON.stringify(config)), layers, platform);
}
