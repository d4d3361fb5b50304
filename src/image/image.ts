// The image as data: OCI descriptors, manifest, config, and the image lambda-pack assembled (bytes and digests).
import { sha256Digest, type Digest } from './digest.js';
import { OCI_CONFIG, OCI_MANIFEST } from './media-types.js';

export interface Platform {
  readonly architecture: string;
  readonly os: string;
  readonly variant?: string;
}

export interface Descriptor {
  readonly mediaType: string;
  readonly digest: Digest;
  readonly size: number;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly platform?: Platform;
  readonly urls?: readonly string[];
}

export interface ImageManifest {
  readonly schemaVersion: 2;
  readonly mediaType?: string;
  readonly config: Descriptor;
  readonly layers: readonly Descriptor[];
  readonly annotations?: Readonly<Record<string, string>>;
}

export interface ImageIndex {
  readonly schemaVersion: 2;
  readonly mediaType?: string;
  readonly manifests: readonly Descriptor[];
}

export interface HistoryEntry {
  readonly created?: string;
  readonly created_by?: string;
  readonly comment?: string;
  readonly empty_layer?: boolean;
}

/** The config JSON: the fields lambda-pack reads or sets; every other field of the base is carried as it is. */
export interface ImageConfig {
  readonly architecture: string;
  readonly os: string;
  readonly variant?: string;
  readonly created?: string;
  readonly config?: {
    readonly Env?: readonly string[];
    readonly Entrypoint?: readonly string[] | null;
    readonly Cmd?: readonly string[] | null;
    readonly WorkingDir?: string;
    readonly [key: string]: unknown;
  };
  readonly rootfs: { readonly type: 'layers'; readonly diff_ids: readonly Digest[] };
  readonly history?: readonly HistoryEntry[];
  readonly [key: string]: unknown;
}

/** Where a layer's bytes can be had: lambda-pack's blob store, or the base image's repository. */
export type LayerOrigin =
  | { readonly kind: 'built' }
  | { readonly kind: 'base'; readonly registry: string; readonly repository: string };

export interface ImageLayer {
  readonly descriptor: Descriptor;
  readonly diffId: Digest;
  /** Tar bytes, when known (always for lambda-pack's own layers; for a base layer once it was fetched and measured). */
  readonly uncompressedSize?: number;
  readonly origin: LayerOrigin;
}

/** A single-platform image ready to write or push: the exact bytes whose digests name it. */
export interface AssembledImage {
  readonly manifest: Uint8Array;
  readonly manifestDigest: Digest;
  readonly manifestMediaType: string;
  readonly config: Uint8Array;
  readonly configDescriptor: Descriptor;
  readonly layers: readonly ImageLayer[];
  readonly platform: Platform;
}

export function parseJson<T>(bytes: Uint8Array, what: string): T {
  try {
    return JSON.parse(Buffer.from(bytes).toString('utf8')) as T;
  } catch (error) {
    throw new Error(`${what} is not JSON: ${(error as Error).message}`, { cause: error });
  }
}

/** The single-platform OCI manifest over `config` and `layers`, and the image it names. */
export function imageOf(config: Uint8Array, layers: readonly ImageLayer[], platform: Platform): AssembledImage {
  const configDescriptor: Descriptor = { mediaType: OCI_CONFIG, digest: sha256Digest(config), size: config.length };
  const manifest: ImageManifest = { schemaVersion: 2, mediaType: OCI_MANIFEST, config: configDescriptor, layers: layers.map((l) => l.descriptor) };
  const bytes = new TextEncoder().encode(JSON.stringify(manifest));
  return { manifest: bytes, manifestDigest: sha256Digest(bytes), manifestMediaType: OCI_MANIFEST, config, configDescriptor, layers, platform };
}
