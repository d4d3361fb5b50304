// Reads a base image from its registry for one architecture: an index (or manifest list) is
// resolved to its linux/<arch> image, attestations skipped; the config is read and checked.
import { ExternalError } from '../errors.js';
import type { Architecture } from '../runtimes.js';
import type { BaseImage } from './assemble.js';
import { isDigest } from './digest.js';
import { parseJson, type Descriptor, type ImageConfig, type ImageIndex, type ImageManifest } from './image.js';
import { INDEX_TYPES, MANIFEST_TYPES } from './media-types.js';
import { parseReference } from './reference.js';
import type { Registries } from './registry/client.js';
import { getBlobBytes, getManifest, type FetchedManifest } from './registry/operations.js';

/** arm64 images say variant v8 or nothing; amd64 ones nothing. */
function matches(descriptor: Descriptor, arch: Architecture): boolean {
  const platform = descriptor.platform;
  if (platform?.os !== 'linux' || platform.architecture !== arch.dockerArch) return false;
  return arch.dockerArch !== 'arm64' || platform.variant === undefined || platform.variant === 'v8';
}

function isAttestation(descriptor: Descriptor): boolean {
  return descriptor.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest' || descriptor.platform?.os === 'unknown';
}

function chooseFromIndex(reference: string, index: ImageIndex, arch: Architecture): Descriptor {
  const candidates = index.manifests.filter((m) => !isAttestation(m) && matches(m, arch));
  if (candidates.length === 1) return candidates[0]!;
  const present = index.manifests.filter((m) => !isAttestation(m)).map((m) => m.platform ? `${m.platform.os}/${m.platform.architecture}${m.platform.variant ? `/${m.platform.variant}` : ''}` : 'no platform');
  if (candidates.length === 0) {
    throw new ExternalError('IMAGE_WRONG_ARCH', `The base image ${reference} has no ${arch.dockerPlatform} image (it has: ${present.join(', ') || 'none'}). Use a base image published for ${arch.name}.`);
  }
  throw new ExternalError('BASE_IMAGE_AMBIGUOUS', `The base image ${reference} lists ${candidates.length} images for ${arch.dockerPlatform}; lambda-pack will not guess. Name one of them by digest (…@sha256:…) in the config.`);
}

/** The base image `raw` (already mirrored) for `arch`, from its registry. */
export async function resolveBaseImage(registries: Registries, raw: string, arch: Architecture): Promise<BaseImage> {
  let ref: ReturnType<typeof parseReference>;
  try { ref = parseReference(raw); } catch (error) {
    throw new ExternalError('BASE_IMAGE_INVALID', `${(error as Error).message}. Fix the base image (or imageMirror) in the config.`, {}, { cause: error });
  }
  const registry = registries.get(ref.registry);
  let fetched: FetchedManifest = await getManifest(registry, ref.repository, ref.digest ?? ref.tag ?? 'latest');
  if ((INDEX_TYPES as readonly string[]).includes(fetched.mediaType)) {
    const chosen = chooseFromIndex(raw, parseJson<ImageIndex>(fetched.bytes, `the index of ${raw}`), arch);
    fetched = await getManifest(registry, ref.repository, chosen.digest);
  }
  if (!(MANIFEST_TYPES as readonly string[]).includes(fetched.mediaType)) {
    throw new ExternalError('BASE_IMAGE_UNSUPPORTED', `The base image ${raw} is a ${fetched.mediaType || 'manifest without a media type'}, not an image manifest lambda-pack can build on (OCI or Docker v2 schema 2).`);
  }
  const manifest = parseJson<ImageManifest>(fetched.bytes, `the manifest of ${raw}`);
  if (!isDigest(manifest.config?.digest) || !Array.isArray(manifest.layers)) {
    throw new ExternalError('BASE_IMAGE_INVALID', `The manifest of the base image ${raw} (${fetched.digest}) has no valid config or layers.`);
  }
  const config = parseJson<ImageConfig>(await getBlobBytes(registry, ref.repository, manifest.config.digest), `the config of ${raw}`);
  if (config.architecture !== arch.dockerArch || config.os !== 'linux') {
    throw new ExternalError('IMAGE_WRONG_ARCH', `The base image ${raw} (${fetched.digest}) is ${config.os}/${config.architecture}, but this task builds for ${arch.name} (${arch.dockerPlatform}). Use its ${arch.name} tag.`);
  }
  return { reference: raw, registry: ref.registry, repository: ref.repository, digest: fetched.digest, manifest, config };
}
