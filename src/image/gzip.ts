// Deterministic gzip of a byte stream of known length: fixed header, fixed level, fixed chunking,
// compressed in parallel by the zip writer's deflate pool; the bytes never depend on the machine's
// core count (only on Node's bundled zlib, as the zip's do).
import { createHash } from 'node:crypto';
import zlib from 'node:zlib';
import { InternalError } from '../errors.js';
import { createDeflatePool } from '../zip/deflate-pool.js';
import { DeflateWindow } from '../zip/deflate-window.js';
import { CHUNK_SIZE, DICTIONARY_SIZE, type PlannedTask } from '../zip/chunks.js';
import type { BlobWriter } from './blob-store.js';

/**
 * ID1 ID2, CM deflate, FLG 0 (no name, no comment, no extra), MTIME 0, XFL 0, OS 255 ("unknown",
 * as Go's compress/gzip writes, so the header says nothing about the machine that wrote it).
 */
export const GZIP_HEADER = Uint8Array.of(0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0xff);
export const DEFAULT_GZIP_LEVEL = 6;
/** Uncompressed bytes in flight across all workers. */
const WINDOW_BYTES = 16 * CHUNK_SIZE;

/** The uncompressed stream: its exact length, and a synchronous reader that fills a buffer in order. */
export interface ByteSource {
  readonly length: number;
  /** Fills `into` completely with the next bytes (the caller never asks past `length`). */
  read(into: Uint8Array): void;
}

export interface GzipOptions {
  level?: number;
  /** Worker threads; default min(availableParallelism, 4). The output never depends on it. */
  concurrency?: number;
  signal?: AbortSignal;
}

export interface GzipResult {
  /** sha256 of the uncompressed bytes, hex. */
  uncompressedSha256: string;
  uncompressedLength: number;
}

function* chunkTasks(source: ByteSource, level: number, onBytes: (chunk: Uint8Array) => void): Generator<PlannedTask> {
  const chunks = Math.max(1, Math.ceil(source.length / CHUNK_SIZE));
  let previous = new Uint8Array(0);
  for (let index = 0; index < chunks; index++) {
    const length = Math.min(CHUNK_SIZE, source.length - index * CHUNK_SIZE);
    // Each chunk after the first is primed with deflate's whole window of the bytes before it.
    const dictionaryLength = Math.min(previous.length, DICTIONARY_SIZE);
    const bytes = new Uint8Array(dictionaryLength + length);
    bytes.set(previous.subarray(previous.length - dictionaryLength), 0);
    const chunk = bytes.subarray(dictionaryLength);
    source.read(chunk);
    onBytes(chunk);
    previous = chunk;
    const item = { bytes, offset: index * CHUNK_SIZE, length, dictionaryLength, last: index === chunks - 1, whole: false };
    yield { task: { id: index, level, items: [item] }, bytes: length };
  }
}

/** Compresses `source` into `output` as one gzip member (header, chunked deflate, CRC32 and length). */
export async function gzipInto(source: ByteSource, output: BlobWriter, options: GzipOptions = {}): Promise<GzipResult> {
  const level = options.level ?? DEFAULT_GZIP_LEVEL;
  if (!Number.isInteger(level) || level < 1 || level > 9) throw new InternalError('GZIP_INVALID_OPTION', `gzip level must be an integer 1-9, got ${level}`);
  const concurrency = options.concurrency ?? Math.min(4, (await import('node:os')).availableParallelism());
  const hash = createHash('sha256');
  let crc = 0;
  const tasks = chunkTasks(source, level, (chunk) => { hash.update(chunk); crc = zlib.crc32(chunk, crc); });
  const pool = createDeflatePool(concurrency, options.signal);
  try {
    const window = new DeflateWindow(tasks, pool, WINDOW_BYTES);
    await output.append(GZIP_HEADER);
    const chunks = Math.max(1, Math.ceil(source.length / CHUNK_SIZE));
    for (let index = 0; index < chunks; index++) await output.append((await window.next()).data);
    const trailer = Buffer.alloc(8);
    trailer.writeUInt32LE(crc >>> 0, 0);
    trailer.writeUInt32LE(source.length % 2 ** 32, 4);
    await output.append(trailer);
    options.signal?.throwIfAborted();
  } catch (error) {
    throw options.signal?.aborted ? options.signal.reason : error;
  } finally {
    await pool.close();
  }
  return { uncompressedSha256: hash.digest('hex'), uncompressedLength: source.length };
}
