// The distribution API operations lambda-pack needs: manifests (get, put), blobs (head, get
// digest-checked into the blob store, upload monolithic or streamed or chunked, cross-repository mount).
import { createReadStream } from 'node:fs';
import { ExternalError } from '../../errors.js';
import type { BlobStore, StoredBlob } from '../blob-store.js';
import { isDigest, sha256Digest, type Digest } from '../digest.js';
import { ACCEPT_MANIFESTS } from '../media-types.js';
import { header, pullScope, pushScope, type Registry } from './client.js';
import { readBody } from './http.js';

export interface FetchedManifest {
  readonly mediaType: string;
  readonly bytes: Buffer;
  /** sha256 of the bytes as served: the manifest's identity. */
  readonly digest: Digest;
}

export async function getManifest(registry: Registry, repository: string, reference: string): Promise<FetchedManifest> {
  const doing = `reading the manifest of ${repository}${isDigest(reference) ? '@' : ':'}${reference}`;
  const response = await registry.request({ method: 'GET', path: `/v2/${repository}/manifests/${reference}`, scopes: [pullScope(repository)], headers: { accept: ACCEPT_MANIFESTS }, expect: [200], doing });
  const bytes = await readBody(response, 4 << 20);
  const digest = sha256Digest(bytes);
  if (isDigest(reference) && digest !== reference) {
    throw new ExternalError('REGISTRY_DIGEST_MISMATCH', `The registry ${registry.name} answered ${doing} with bytes whose digest is ${digest}. Try again; if it persists, the registry (or a proxy) alters manifests.`);
  }
  let mediaType = (header(response, 'content-type') ?? '').split(';')[0]!.trim();
  try {
    const declared = (JSON.parse(bytes.toString('utf8')) as { mediaType?: string }).mediaType;
    if (declared) mediaType = declared;
  } catch {
    throw new ExternalError('REGISTRY_FAILED', `The registry ${registry.name} answered ${doing} with something other than JSON.`);
  }
  return { mediaType, bytes, digest };
}

export async function hasBlob(registry: Registry, repository: string, digest: Digest): Promise<boolean> {
  const response = await registry.request({ method: 'HEAD', path: `/v2/${repository}/blobs/${digest}`, scopes: [pushScope(repository)], expect: [200, 404], followRedirects: true, doing: `checking for blob ${digest} in ${repository}` });
  response.body.resume();
  return response.status === 200;
}

/** Streams the blob into the store; refuses bytes that do not match the digest. */
export async function fetchBlob(registry: Registry, repository: string, digest: Digest, store: BlobStore): Promise<StoredBlob> {
  const doing = `downloading blob ${digest} of ${repository}`;
  const response = await registry.request({ method: 'GET', path: `/v2/${repository}/blobs/${digest}`, scopes: [pullScope(repository)], expect: [200], followRedirects: true, doing });
  const writer = await store.writer();
  try {
    for await (const chunk of response.body as AsyncIterable<Buffer>) await writer.append(chunk);
  } catch (error) {
    await writer.discard();
    throw new ExternalError('REGISTRY_UNREACHABLE', `The registry ${registry.name} broke off ${doing}: ${(error as Error).message}. Try again.`, {}, { cause: error });
  }
  const committed = await writer.commit().catch(async (error: unknown) => { await writer.discard(); throw error; });
  if (committed.digest !== digest) {
    const { unlink } = await import('node:fs/promises');
    await unlink(store.path(committed.digest)).catch(() => undefined);
    throw new ExternalError('REGISTRY_DIGEST_MISMATCH', `The registry ${registry.name} answered ${doing} with bytes whose digest is ${committed.digest}. Try again; if it persists, the registry (or a proxy) is serving corrupt data.`);
  }
  return committed;
}

/** A small blob (a config) in memory, digest-checked. */
export async function getBlobBytes(registry: Registry, repository: string, digest: Digest): Promise<Buffer> {
  const doing = `reading blob ${digest} of ${repository}`;
  const response = await registry.request({ method: 'GET', path: `/v2/${repository}/blobs/${digest}`, scopes: [pullScope(repository)], expect: [200], followRedirects: true, doing });
  const bytes = await readBody(response, 16 << 20);
  if (sha256Digest(bytes) !== digest) {
    throw new ExternalError('REGISTRY_DIGEST_MISMATCH', `The registry ${registry.name} answered ${doing} with bytes whose digest is ${sha256Digest(bytes)}. Try again.`);
  }
  return bytes;
}

function withDigest(location: string, digest: Digest): string {
  const [base, query] = location.split('?', 2) as [string, string | undefined];
  const params = new URLSearchParams(query ?? '');
  params.set('digest', digest);
  return `${base}?${params.toString()}`;
}

function locationOf(response: Awaited<ReturnType<Registry['request']>>, registry: Registry, doing: string): string {
  response.body.resume();
  const location = header(response, 'location');
  if (!location) throw new ExternalError('REGISTRY_FAILED', `The registry ${registry.name} started ${doing} without saying where to send it (no Location header).`);
  return location;
}

export type MountResult = { mounted: true } | { mounted: false; location: string };

/** Asks the registry to link a blob from another repository; when it will not, the upload it started instead. */
export async function mountBlob(registry: Registry, repository: string, digest: Digest, from: string): Promise<MountResult> {
  const doing = `mounting blob ${digest} from ${from} into ${repository}`;
  const response = await registry.request({
    method: 'POST', path: `/v2/${repository}/blobs/uploads/?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(from)}`,
    scopes: [pushScope(repository), pullScope(from)], expect: [201, 202], doing,
  });
  if (response.status === 201) { response.body.resume(); return { mounted: true }; }
  return { mounted: false, location: locationOf(response, registry, doing) };
}

export interface UploadOptions {
  /** Blobs up to this size go up in one PUT; larger ones in a streamed PATCH, then a PUT. Default 32 MiB. */
  readonly monolithicLimit?: number;
  /** When set, large blobs go up in PATCH requests of this size with Content-Range (for registries that cap a request's size). */
  readonly chunkSize?: number;
  /** An upload the registry already started (a mount it refused). */
  readonly location?: string;
}

const DEFAULT_MONOLITHIC_LIMIT = 32 << 20;

/** Uploads the blob at `file` (size bytes, named by digest); the registry checks the digest when it completes. */
export async function uploadBlob(registry: Registry, repository: string, digest: Digest, file: string, size: number, options: UploadOptions = {}): Promise<void> {
  const doing = `uploading blob ${digest} (${size} bytes) to ${repository}`;
  const scopes = [pushScope(repository)];
  let location = options.location ?? locationOf(await registry.request({ method: 'POST', path: `/v2/${repository}/blobs/uploads/`, scopes, expect: [202], doing }), registry, doing);
  const octets = { 'content-type': 'application/octet-stream' };
  if (size <= (options.monolithicLimit ?? DEFAULT_MONOLITHIC_LIMIT)) {
    const done = await registry.request({ method: 'PUT', path: withDigest(location, digest), scopes, headers: { ...octets, 'content-length': String(size) }, body: () => createReadStream(file), expect: [201], doing });
    done.body.resume();
    return;
  }
  const chunk = options.chunkSize ?? size;
  for (let start = 0; start < size; start += chunk) {
    const end = Math.min(size, start + chunk) - 1;
    const headers: Record<string, string> = { ...octets, 'content-length': String(end - start + 1) };
    if (options.chunkSize !== undefined) headers['content-range'] = `${start}-${end}`;
    const patched = await registry.request({ method: 'PATCH', path: location, scopes, headers, body: () => createReadStream(file, { start, end }), expect: [202], doing });
    location = locationOf(patched, registry, doing);
  }
  const done = await registry.request({ method: 'PUT', path: withDigest(location, digest), scopes, expect: [201], doing });
  done.body.resume();
}

/** Puts the manifest under `reference` (a tag or its digest); returns the digest the registry reports. */
export async function putManifest(registry: Registry, repository: string, reference: string, bytes: Uint8Array, mediaType: string): Promise<Digest> {
  const doing = `pushing the manifest ${repository}:${reference}`;
  const response = await registry.request({ method: 'PUT', path: `/v2/${repository}/manifests/${reference}`, scopes: [pushScope(repository)], headers: { 'content-type': mediaType }, body: bytes, expect: [201, 200], doing });
  response.body.resume();
  const ours = sha256Digest(bytes);
  const reported = header(response, 'docker-content-digest');
  if (reported && reported !== ours) {
    throw new ExternalError('REGISTRY_DIGEST_MISMATCH', `The registry ${registry.name} stored the manifest ${repository}:${reference} as ${reported}, not ${ours}: it rewrote it. Lambda would deploy a different image than the one verified; use a registry that stores manifests as sent.`);
  }
  return ours;
}
