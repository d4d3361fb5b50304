// Deterministic image layers: the zip writer's inputs as a gzipped tar, entries sorted bytewise,
// parent directories present, owners 0:0 with no names, modes 0644/0755, one fixed mtime. Same
// inputs → the same diffID (tar) and the same digest (gzip), whatever the input order or machine.
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ExternalError, InternalError } from '../errors.js';
import { toSortedEntries, type ZipEntry } from '../zip/entries.js';
import type { ZipInput } from '../zip/write.js';
import { zipTimeFrom } from '../host.js';
import type { BlobStore } from './blob-store.js';
import type { Digest } from './digest.js';
import { gzipInto, type ByteSource, type GzipOptions } from './gzip.js';
import { OCI_LAYER_GZIP } from './media-types.js';
import { BLOCK, END_OF_ARCHIVE, tarEntryLength, tarHeader, type TarHeaderInput } from './tar-header.js';

/** An entry of a layer: a ZipInput whose path is where it lands in the image, relative to / (e.g. var/task/index.js). */
export type LayerInput = ZipInput;

export interface LayerOptions extends GzipOptions {
  /** Every entry's mtime; default SOURCE_DATE_EPOCH, else 1980-01-01 (the zip's timestamp, so one date marks every artifact). */
  mtime?: Date;
}

export interface Layer {
  readonly mediaType: typeof OCI_LAYER_GZIP;
  /** sha256 of the gzip blob: the manifest's layer digest. */
  readonly digest: Digest;
  /** sha256 of the tar: the config's rootfs.diff_ids entry. */
  readonly diffId: Digest;
  /** Compressed bytes. */
  readonly size: number;
  /** Tar bytes. */
  readonly uncompressedSize: number;
  /** Tar entries, implied parent directories included. */
  readonly entries: number;
}

/** Adds every missing ancestor directory, so that extracting the tar never invents one with other modes. */
function withParents(inputs: readonly LayerInput[]): LayerInput[] {
  const kinds = new Map(inputs.map((input) => [input.path, input.kind]));
  const all = [...inputs];
  for (const input of inputs) {
    const segments = typeof input.path === 'string' ? input.path.split('/') : [];
    for (let depth = 1; depth < segments.length; depth++) {
      const parent = segments.slice(0, depth).join('/');
      const kind = kinds.get(parent);
      if (kind === undefined) { kinds.set(parent, 'directory'); all.push({ path: parent, kind: 'directory' }); }
      else if (kind !== 'directory') throw new InternalError('LAYER_INVALID_INPUT', `layer entry ${JSON.stringify(input.path)} lies under ${JSON.stringify(parent)}, which is a ${kind}, not a directory`);
    }
  }
  return all;
}

interface PlannedEntry { readonly entry: ZipEntry; readonly header: TarHeaderInput }

function plan(inputs: readonly LayerInput[], mtime: number): PlannedEntry[] {
  return toSortedEntries(withParents(inputs)).map((entry) => {
    let size = entry.kind === 'file' ? entry.bytes?.length : 0;
    if (size === undefined) size = sourceSize(entry.source!);
    const header: TarHeaderInput = {
      name: entry.name, type: entry.kind, mode: entry.mode & 0o7777, size, mtime,
      ...(entry.kind === 'symlink' ? { linkTarget: entry.bytes! } : {}),
    };
    return { entry, header };
  });
}

function sourceSize(source: string): number {
  let stats: ReturnType<typeof statSync>;
  try { stats = statSync(source); } catch (error) {
    throw new ExternalError('LAYER_SOURCE_UNREADABLE', `cannot put ${source} into an image layer: ${(error as Error).message}`, {}, { cause: error });
  }
  if (!stats.isFile()) throw new ExternalError('LAYER_SOURCE_NOT_A_FILE', `cannot put ${source} into an image layer: not a regular file`);
  return stats.size;
}

type Segment = { bytes: Uint8Array } | { source: string; size: number };

/** The tar as a stream of segments (headers, data, padding), read synchronously into the gzip's chunks. */
class TarSource implements ByteSource {
  readonly length: number;
  private readonly segments: Generator<Segment>;
  private current: Segment | undefined;
  private offset = 0;
  private fd: number | undefined;

  constructor(entries: readonly PlannedEntry[]) {
    this.length = entries.reduce((sum, e) => sum + tarEntryLength(e.header), 0) + END_OF_ARCHIVE.length;
    this.segments = TarSource.segmentsOf(entries);
  }

  private static *segmentsOf(entries: readonly PlannedEntry[]): Generator<Segment> {
    for (const { entry, header } of entries) {
      yield { bytes: tarHeader(header) };
      if (header.type !== 'file' || header.size === 0) continue;
      yield entry.bytes ? { bytes: entry.bytes } : { source: entry.source!, size: header.size };
      const padding = (BLOCK - (header.size % BLOCK)) % BLOCK;
      if (padding > 0) yield { bytes: new Uint8Array(padding) };
    }
    yield { bytes: END_OF_ARCHIVE };
  }

  read(into: Uint8Array): void {
    for (let filled = 0; filled < into.length;) {
      if (!this.current) {
        const next = this.segments.next();
        if (next.done) throw new InternalError('LAYER_PLAN_MISMATCH', 'the layer tar ended before its planned length');
        this.current = next.value;
        this.offset = 0;
      }
      const segment = this.current;
      const size = 'bytes' in segment ? segment.bytes.length : segment.size;
      const wanted = Math.min(size - this.offset, into.length - filled);
      if ('bytes' in segment) into.set(segment.bytes.subarray(this.offset, this.offset + wanted), filled);
      else this.readSource(segment, into.subarray(filled, filled + wanted));
      filled += wanted;
      this.offset += wanted;
      if (this.offset === size) {
        if ('source' in segment) this.finishSource(segment);
        this.current = undefined;
      }
    }
  }

  private readSource(segment: { source: string; size: number }, into: Uint8Array): void {
    try {
      this.fd ??= openSync(segment.source, 'r');
      for (let got = 0; got < into.length;) {
        const read = readSync(this.fd, into, got, into.length - got, this.offset + got);
        if (read === 0) throw changed(segment.source);
        got += read;
      }
    } catch (error) {
      this.close();
      if (error instanceof ExternalError) throw error;
      throw new ExternalError('LAYER_SOURCE_UNREADABLE', `cannot put ${segment.source} into an image layer: ${(error as Error).message}`, {}, { cause: error });
    }
  }

  /** A file that grew since it was measured would give a layer that matches neither version. */
  private finishSource(segment: { source: string; size: number }): void {
    const extra = new Uint8Array(1);
    const grew = this.fd !== undefined && readSync(this.fd, extra, 0, 1, segment.size) > 0;
    this.close();
    if (grew) throw changed(segment.source);
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

function changed(source: string): ExternalError {
  return new ExternalError('LAYER_SOURCE_CHANGED', `cannot put ${source} into an image layer: it changed size while it was being written`);
}

/** Writes the layer's gzip blob into `store` (temp file, then renamed under its digest) and describes it. */
export async function writeLayer(inputs: readonly LayerInput[], store: BlobStore, options: LayerOptions = {}): Promise<Layer> {
  const mtime = options.mtime ?? zipTimeFrom(undefined);
  if (Number.isNaN(mtime.getTime())) throw new InternalError('LAYER_INVALID_OPTION', 'layer mtime is an invalid Date');
  const entries = plan(inputs, Math.floor(mtime.getTime() / 1000));
  const source = new TarSource(entries);
  const writer = await store.writer();
  try {
    const tar = await gzipInto(source, writer, options);
    const blob = await writer.commit();
    return {
      mediaType: OCI_LAYER_GZIP, digest: blob.digest, diffId: `sha256:${tar.uncompressedSha256}`,
      size: blob.size, uncompressedSize: tar.uncompressedLength, entries: entries.length,
    };
  } catch (error) {
    await writer.discard();
    throw error;
  } finally {
    source.close();
  }
}

/**
 * The layer remembered under `key` (a hash of everything that shapes its inputs, e.g. the dependency
 * cache key) when its blob is still in the store; else written by `write` and remembered. Saves
 * recompressing an unchanged dependency layer when only the code changed.
 */
export async function rememberedLayer(store: BlobStore, key: string, write: () => Promise<Layer>): Promise<Layer> {
  const dir = path.join(store.root, 'layers');
  const file = path.join(dir, `${createHash('sha256').update(key).digest('hex')}.json`);
  const known = await readFile(file, 'utf8').then((text) => JSON.parse(text) as Layer, () => undefined);
  if (known && await store.has(known.digest) && await store.size(known.digest) === known.size) return known;
  const layer = await write();
  await mkdir(dir, { recursive: true });
  const temp = `${file}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  await writeFile(temp, JSON.stringify(layer));
  await rename(temp, file);
  return layer;
}
