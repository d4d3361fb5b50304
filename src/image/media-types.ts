// The media types lambda-pack reads and writes, and the one translation between Docker's and OCI's names.

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
export const OCI_LAYER_GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';
export const OCI_LAYER_TAR = 'application/vnd.oci.image.layer.v1.tar';
export const OCI_LAYER_ZSTD = 'application/vnd.oci.image.layer.v1.tar+zstd';

export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
export const DOCKER_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
export const DOCKER_CONFIG = 'application/vnd.docker.container.image.v1+json';
export const DOCKER_LAYER_GZIP = 'application/vnd.docker.image.rootfs.diff.tar.gzip';
export const DOCKER_LAYER_FOREIGN = 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip';

export const MANIFEST_TYPES = [OCI_MANIFEST, DOCKER_MANIFEST] as const;
export const INDEX_TYPES = [OCI_INDEX, DOCKER_LIST] as const;
/** What a manifest GET accepts: both single-image formats and both index formats (resolved to one platform). */
export const ACCEPT_MANIFESTS = [...MANIFEST_TYPES, ...INDEX_TYPES].join(', ');

/** Layers whose bytes lambda-pack can carry into an OCI manifest unchanged (only the descriptor's name changes). */
const LAYER_IN_OCI: Readonly<Record<string, string>> = {
  [DOCKER_LAYER_GZIP]: OCI_LAYER_GZIP,
  [OCI_LAYER_GZIP]: OCI_LAYER_GZIP,
  [OCI_LAYER_TAR]: OCI_LAYER_TAR,
  [OCI_LAYER_ZSTD]: OCI_LAYER_ZSTD,
};

/** The OCI media type for a base image's layer (as `skopeo copy --format oci` renames it), or undefined for one lambda-pack cannot carry. */
export function ociLayerType(mediaType: string): string | undefined {
  return LAYER_IN_OCI[mediaType];
}
