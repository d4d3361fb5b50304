// Pushes an assembled image as one single-platform manifest: every blob the registry lacks is
// mounted from the base's repository when both share the registry, else uploaded (base layers
// fetched into the blob store first); blobs it has are left alone. Never an index.
import { InternalError } from '../errors.js';
import type { BlobStore } from './blob-store.js';
import type { Digest } from './digest.js';
import type { AssembledImage, ImageLayer } from './image.js';
import type { Registries } from './registry/client.js';
import { fetchBlob, hasBlob, mountBlob, putManifest, uploadBlob, type UploadOptions } from './registry/operations.js';

export interface PushTarget {
  readonly registry: string;
  readonly repository: string;
  /** Without a tag the manifest is put by its digest only. */
  readonly tag?: string;
}

export interface PushOptions {
  readonly store: BlobStore;
  readonly upload?: UploadOptions;
  /** Blobs in flight at once; default 3 (as the docker CLI). */
  readonly concurrency?: number;
  readonly progress?: (line: string) => void;
}

export interface PushResult {
  /** `<registry>/<repository>@sha256:…`: what Lambda's ImageUri takes, immune to a moving tag. */
  readonly uri: string;
  readonly digest: Digest;
  readonly tag?: string;
  readonly uploaded: readonly Digest[];
  readonly mounted: readonly Digest[];
  /** Blobs the registry already had. */
  readonly present: readonly Digest[];
  readonly uploadedBytes: number;
}

/** Makes sure the store holds the layer's bytes: built layers are there already; base layers are fetched from their registry. */
export async function ensureLayer(registries: Registries, layer: ImageLayer, store: BlobStore): Promise<void> {
  const { digest } = layer.descriptor;
  if (await store.has(digest)) return;
  if (layer.origin.kind === 'built') throw new InternalError('LAYER_MISSING', `layer ${digest} was built but is not in the blob store ${store.root}`);
  await fetchBlob(registries.get(layer.origin.registry), layer.origin.repository, digest, store);
}

/** Every blob of the image in the store (for an OCI layout or a docker load): config, manifest and layers. */
export async function ensureImageBlobs(registries: Registries, image: AssembledImage, store: BlobStore): Promise<void> {
  await store.put(image.config);
  await store.put(image.manifest);
  await runAll(image.layers.map((layer) => () => ensureLayer(registries, layer, store)), 3);
}

/** Runs the jobs `concurrency` at a time; after the first failure no new job starts. */
async function runAll(jobs: readonly (() => Promise<void>)[], concurrency: number): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (next < jobs.length && !failed) {
      try { await jobs[next++]!(); } catch (error) { failed = true; throw error; }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, jobs.length) }, worker));
}

export async function pushImage(registries: Registries, image: AssembledImage, target: PushTarget, options: PushOptions): Promise<PushResult> {
  const registry = registries.get(target.registry);
  const { store } = options;
  const progress = options.progress ?? (() => {});
  const uploaded: Digest[] = [];
  const mounted: Digest[] = [];
  const present: Digest[] = [];
  let uploadedBytes = 0;

  const send = async (digest: Digest, size: number, layer: ImageLayer | undefined) => {
    if (await hasBlob(registry, target.repository, digest)) { present.push(digest); return; }
    let location: string | undefined;
    const origin = layer?.origin;
    if (origin?.kind === 'base' && origin.registry === target.registry && origin.repository !== target.repository) {
      const mount = await mountBlob(registry, target.repository, digest, origin.repository);
      if (mount.mounted) { mounted.push(digest); progress(`mounted ${digest} from ${origin.repository}`); return; }
      location = mount.location;
    }
    if (layer) await ensureLayer(registries, layer, store);
    progress(`uploading ${digest} (${size} bytes)`);
    await uploadBlob(registry, target.repository, digest, store.path(digest), size, { ...options.upload, ...(location ? { location } : {}) });
    uploaded.push(digest);
    uploadedBytes += size;
  };

  await store.put(image.config);
  // An image may hold the same layer twice (two identical steps): it goes up once.
  const distinct = [...new Map(image.layers.map((layer) => [layer.descriptor.digest, layer])).values()];
  const jobs = [
    ...distinct.map((layer) => () => send(layer.descriptor.digest, layer.descriptor.size, layer)),
    () => send(image.configDescriptor.digest, image.configDescriptor.size, undefined),
  ];
  await runAll(jobs, options.concurrency ?? 3);
  const digest = await putManifest(registry, target.repository, target.tag ?? image.manifestDigest, image.manifest, image.manifestMediaType);
  const sortDigests = (list: Digest[]) => [...list].sort();
  return {
    uri: `${target.registry}/${target.repository}@${digest}`, digest, ...(target.tag ? { tag: target.tag } : {}),
    uploaded: sortDigests(uploaded), mounted: sortDigests(mounted), present: sortDigests(present), uploadedBytes,
  };
}
