// Read-only access to a zip file: its entries, and the first bytes or all bytes of one entry.
// Reads only what is asked for: the central directory, then per entry a bounded prefix.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { constants, inflateRawSync } from 'node:zlib';
import { inflateHead } from './head-inflate.js';
import { LOCAL_HEADER_SIGNATURE, METHOD_DEFLATE, METHOD_STORE } from '../constants.js';
import { EOCD_SEARCH_BYTES, locateCentralDirectory, parseCentralDirectory, ZipFormatError, type ZipEntry } from './central-directory.js';

export { ZipFormatError, type ZipEntry } from './central-directory.js';

/** An entry whose bytes cannot be read (encrypted, unknown method, corrupt, or bigger than allowed). */
export class EntryReadError extends Error {
  constructor(readonly entry: string, message: string) {
    super(message);
    this.name = 'EntryReadError';
  }
}

const LOCAL_SIGNATURE = LOCAL_HEADER_SIGNATURE;
const STORED = METHOD_STORE;
const DEFLATED = METHOD_DEFLATE;
/** Up to this many leading bytes are decoded in JavaScript, sparing a zlib stream per entry. */
const HEAD_INFLATE_LIMIT = 4096;
/** Bytes looked at around a local header: header, name, extra and the start of the data. */
const LOCAL_WINDOW = 2048;
const READ_BLOCK = 256 * 1024;

export class ZipArchive {
  private readonly dataStarts = new Map<ZipEntry, number>();
  private block: { offset: number; bytes: Buffer } | undefined;

  private constructor(readonly path: string, private fd: number | undefined, readonly size: number, readonly entries: readonly ZipEntry[]) {}

  /** Opens `path` and reads its central directory. Throws ZipFormatError if it is not a zip. */
  static open(path: string): ZipArchive {
    const fd = openSync(path, 'r');
    try {
      const size = fstatSync(fd).size;
      const readAt = (offset: number, length: number): Buffer => readExactly(fd, offset, length, size);
      const tailLength = Math.min(size, EOCD_SEARCH_BYTES);
      if (tailLength < 22) throw new ZipFormatError('file is too small to be a zip');
      const location = locateCentralDirectory(readAt(size - tailLength, tailLength), size, readAt);
      const entries = parseCentralDirectory(readAt(location.offset, location.size), location.entryCount);
      return new ZipArchive(path, fd, size, entries);
    } catch (error) {
      closeSync(fd);
      throw error;
    }
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  /**
   * The first `length` bytes of an entry's content (fewer if the entry is shorter). Inflates only as
   * much compressed data as it takes, so reading the magic bytes of a 50 MB entry costs a few KB.
   */
  readPrefix(entry: ZipEntry, length: number): Buffer {
    const wanted = Math.min(length, entry.uncompressedSize);
    if (wanted <= 0) return Buffer.alloc(0);
    if (entry.flags & 0x1) throw new EntryReadError(entry.name, 'entry is encrypted');
    const window = this.localWindow(entry);
    if (entry.method === STORED) return this.compressedSlice(entry, window, Math.min(wanted, entry.compressedSize));
    if (entry.method !== DEFLATED) throw new EntryReadError(entry.name, `compression method ${entry.method} is not supported`);
    // Whole reads go through zlib, which also checks that the stream ends at the declared size.
    if (wanted <= HEAD_INFLATE_LIMIT && wanted < entry.uncompressedSize) {
      const head = inflateHead(this.compressedSlice(entry, window, wanted + 1024), wanted);
      if (head && head.length === wanted) return head;
    }
    return this.inflatePrefix(entry, window, wanted);
  }

  /** The whole content of an entry, refusing entries over `maxBytes`. */
  readAll(entry: ZipEntry, maxBytes: number): Buffer {
    if (entry.uncompressedSize > maxBytes) throw new EntryReadError(entry.name, `entry is ${entry.uncompressedSize} bytes, over the ${maxBytes}-byte inspection limit`);
    return this.readPrefix(entry, entry.uncompressedSize);
  }

  private inflatePrefix(entry: ZipEntry, window: { start: number; bytes: Buffer }, wanted: number): Buffer {
    const whole = wanted >= entry.uncompressedSize;
    // Output may not exceed the declared size (a zip bomb check) nor, for a prefix, a bounded slack.
    const limit = whole ? entry.uncompressedSize : Math.min(entry.uncompressedSize, wanted * 2 + 65_536);
    let low = 0;
    let high = entry.compressedSize + 1;
    // A small head (magic bytes) usually decodes from a few hundred compressed bytes; grow if not.
    let take = whole ? entry.compressedSize : Math.min(entry.compressedSize, wanted + 512);
    for (let attempt = 0; attempt < 64; attempt++) {
      const compressed = this.compressedSlice(entry, window, take);
      let out: Buffer;
      try {
        out = inflateRawSync(compressed, { finishFlush: constants.Z_SYNC_FLUSH, maxOutputLength: limit });
      } catch (error) {
        if (!isTooLarge(error)) throw new EntryReadError(entry.name, `corrupt deflate data: ${(error as Error).message}`);
        if (take >= entry.compressedSize && whole) throw new EntryReadError(entry.name, 'inflates past its declared size');
        high = take;
        take = Math.floor((low + high) / 2);
        if (take <= low) throw new EntryReadError(entry.name, 'could not inflate a bounded prefix');
        continue;
      }
      if (out.length >= wanted) return out.length > wanted ? out.subarray(0, wanted) : out;
      if (take >= entry.compressedSize) {
        if (whole) throw new EntryReadError(entry.name, `inflates to ${out.length} bytes, not the declared ${entry.uncompressedSize}`);
        return out;
      }
      low = take;
      take = Math.min(entry.compressedSize, high - 1, take * 2 + wanted);
      if (take <= low) return out;
    }
    throw new EntryReadError(entry.name, 'could not inflate a bounded prefix');
  }

  /** Reads the local header (once) and returns a window that usually holds the data's start too. */
  private localWindow(entry: ZipEntry): { start: number; bytes: Buffer } {
    const known = this.dataStarts.get(entry);
    if (known !== undefined) return { start: known, bytes: Buffer.alloc(0) };
    const header = this.readRange(entry.localHeaderOffset, Math.min(LOCAL_WINDOW + entry.name.length, this.size - entry.localHeaderOffset));
    if (header.length < 30 || header.readUInt32LE(0) !== LOCAL_SIGNATURE) throw new EntryReadError(entry.name, 'local header missing or corrupt');
    const start = entry.localHeaderOffset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
    if (start + entry.compressedSize > this.size) throw new EntryReadError(entry.name, 'entry data runs past the end of the file');
    this.dataStarts.set(entry, start);
    return { start, bytes: header.subarray(start - entry.localHeaderOffset) };
  }

  private compressedSlice(entry: ZipEntry, window: { start: number; bytes: Buffer }, length: number): Buffer {
    const bounded = Math.min(length, entry.compressedSize);
    if (bounded <= window.bytes.length) return window.bytes.subarray(0, bounded);
    return this.readRange(window.start, bounded);
  }

  /**
   * Bytes of the file. Small reads are served from one cached block: entries are usually stored in
   * order, so the headers and heads of many small files come from a single read.
   */
  private readRange(offset: number, length: number): Buffer {
    if (offset < 0 || offset + length > this.size) throw new ZipFormatError(`read of ${length} bytes at ${offset} is outside the file`);
    const block = this.block;
    if (block && offset >= block.offset && offset + length <= block.offset + block.bytes.length) {
      return block.bytes.subarray(offset - block.offset, offset - block.offset + length);
    }
    if (length > READ_BLOCK / 4) return readExactly(this.requireOpen(), offset, length, this.size);
    this.block = { offset, bytes: readUpTo(this.requireOpen(), offset, READ_BLOCK, this.size) };
    return this.block.bytes.subarray(0, length);
  }

  private requireOpen(): number {
    if (this.fd === undefined) throw new Error(`zip ${this.path} is closed`);
    return this.fd;
  }
}

function isTooLarge(error: unknown): boolean {
  return error instanceof RangeError || (error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE';
}

function readUpTo(fd: number, offset: number, length: number, fileSize: number): Buffer {
  const bounded = Math.max(0, Math.min(length, fileSize - offset));
  const buffer = Buffer.allocUnsafe(bounded);
  let done = 0;
  while (done < bounded) {
    const n = readSync(fd, buffer, done, bounded - done, offset + done);
    if (n === 0) break;
    done += n;
  }
  return buffer.subarray(0, done);
}

function readExactly(fd: number, offset: number, length: number, fileSize: number): Buffer {
  if (offset < 0 || offset + length > fileSize) throw new ZipFormatError(`read of ${length} bytes at ${offset} is outside the file`);
  const buffer = readUpTo(fd, offset, length, fileSize);
  if (buffer.length < length) throw new ZipFormatError('file ended early');
  return buffer;
}
