// Parses a zip's end-of-central-directory record (zip64 too) and its central directory entries.
// Pure over buffers: the caller reads the bytes; every offset is checked against them.
import { CENTRAL_HEADER_SIGNATURE, END_SIGNATURE, END_SIZE, ZIP64_END_SIGNATURE, ZIP64_LOCATOR_SIGNATURE } from '../constants.js';

export class ZipFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ZipFormatError';
  }
}

/** One central directory record, as the zip states it (sizes are claims, checked on read). */
export interface ZipEntry {
  readonly name: string;
  readonly versionMadeBy: number;
  readonly flags: number;
  readonly method: number;
  readonly compressedSize: number;
  readonly uncompressedSize: number;
  readonly externalAttributes: number;
  readonly localHeaderOffset: number;
}

export interface CentralDirectoryLocation {
  readonly offset: number;
  readonly size: number;
  readonly entryCount: number;
}

const EOCD_SIGNATURE = END_SIGNATURE;
const ZIP64_EOCD_SIGNATURE = ZIP64_END_SIGNATURE;
const CENTRAL_SIGNATURE = CENTRAL_HEADER_SIGNATURE;
const EOCD_MIN = END_SIZE;
/** The EOCD is at most a 64 KiB comment away from the end. */
export const EOCD_SEARCH_BYTES = EOCD_MIN + 0xffff;

/** Finds the EOCD in `tail` (the last bytes of a file of `fileSize` bytes). */
export function locateCentralDirectory(tail: Buffer, fileSize: number, readAt: (offset: number, length: number) => Buffer): CentralDirectoryLocation {
  const tailStart = fileSize - tail.length;
  for (let i = tail.length - EOCD_MIN; i >= 0; i--) {
    if (tail.readUInt32LE(i) !== EOCD_SIGNATURE) continue;
    const commentLength = tail.readUInt16LE(i + 20);
    if (i + EOCD_MIN + commentLength > tail.length) continue;
    let entryCount = tail.readUInt16LE(i + 10);
    let size = tail.readUInt32LE(i + 12);
    let offset = tail.readUInt32LE(i + 16);
    if (entryCount === 0xffff || size === 0xffffffff || offset === 0xffffffff) {
      const zip64 = readZip64End(tailStart + i, readAt, fileSize);
      ({ entryCount, size, offset } = zip64);
    }
    if (offset + size > tailStart + i) throw new ZipFormatError('central directory lies outside the file');
    return { offset, size, entryCount };
  }
  throw new ZipFormatError('no end-of-central-directory record (not a zip file, or truncated)');
}

function readZip64End(eocdOffset: number, readAt: (offset: number, length: number) => Buffer, fileSize: number): CentralDirectoryLocation {
  if (eocdOffset < 20) throw new ZipFormatError('zip64 locator missing');
  const locator = readAt(eocdOffset - 20, 20);
  if (locator.readUInt32LE(0) !== ZIP64_LOCATOR_SIGNATURE) throw new ZipFormatError('zip64 locator missing');
  const recordOffset = safeNumber(locator.readBigUInt64LE(8));
  if (recordOffset + 56 > fileSize) throw new ZipFormatError('zip64 end record lies outside the file');
  const record = readAt(recordOffset, 56);
  if (record.readUInt32LE(0) !== ZIP64_EOCD_SIGNATURE) throw new ZipFormatError('zip64 end record signature mismatch');
  return {
    entryCount: safeNumber(record.readBigUInt64LE(32)),
    size: safeNumber(record.readBigUInt64LE(40)),
    offset: safeNumber(record.readBigUInt64LE(48)),
  };
}

function safeNumber(value: bigint): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new ZipFormatError('zip64 value out of range');
  return Number(value);
}

/** Parses every central directory record in `directory`. */
export function parseCentralDirectory(directory: Buffer, expectedCount: number): ZipEntry[] {
  const entries: ZipEntry[] = [];
  let at = 0;
  while (at + 46 <= directory.length && entries.length < expectedCount) {
    if (directory.readUInt32LE(at) !== CENTRAL_SIGNATURE) throw new ZipFormatError(`bad central directory record at +${at}`);
    const flags = directory.readUInt16LE(at + 8);
    const nameLength = directory.readUInt16LE(at + 28);
    const extraLength = directory.readUInt16LE(at + 30);
    const commentLength = directory.readUInt16LE(at + 32);
    const end = at + 46 + nameLength + extraLength + commentLength;
    if (end > directory.length) throw new ZipFormatError('central directory record runs past its end');
    const rawName = directory.subarray(at + 46, at + 46 + nameLength);
    const sizes = {
      uncompressedSize: directory.readUInt32LE(at + 24),
      compressedSize: directory.readUInt32LE(at + 20),
      localHeaderOffset: directory.readUInt32LE(at + 42),
    };
    applyZip64Extra(sizes, directory.subarray(at + 46 + nameLength, at + 46 + nameLength + extraLength));
    entries.push({
      name: decodeName(rawName, flags),
      versionMadeBy: directory.readUInt16LE(at + 4),
      flags,
      method: directory.readUInt16LE(at + 10),
      externalAttributes: directory.readUInt32LE(at + 38),
      ...sizes,
    });
    at = end;
  }
  if (entries.length < expectedCount) throw new ZipFormatError(`central directory holds ${entries.length} of ${expectedCount} entries`);
  return entries;
}

function applyZip64Extra(sizes: { uncompressedSize: number; compressedSize: number; localHeaderOffset: number }, extra: Buffer): void {
  for (let at = 0; at + 4 <= extra.length;) {
    const id = extra.readUInt16LE(at);
    const length = extra.readUInt16LE(at + 2);
    const body = extra.subarray(at + 4, Math.min(extra.length, at + 4 + length));
    at += 4 + length;
    if (id !== 0x0001) continue;
    let field = 0;
    const next = (): number | undefined => {
      if (field + 8 > body.length) return undefined;
      const value = safeNumber(body.readBigUInt64LE(field));
      field += 8;
      return value;
    };
    if (sizes.uncompressedSize === 0xffffffff) sizes.uncompressedSize = next() ?? sizes.uncompressedSize;
    if (sizes.compressedSize === 0xffffffff) sizes.compressedSize = next() ?? sizes.compressedSize;
    if (sizes.localHeaderOffset === 0xffffffff) sizes.localHeaderOffset = next() ?? sizes.localHeaderOffset;
    return;
  }
}

/** Bit 11 means UTF-8; otherwise the name is CP437, which matches Latin-1 for what matters here. */
function decodeName(raw: Buffer, flags: number): string {
  if (flags & 0x800) return raw.toString('utf8');
  for (const byte of raw) if (byte >= 0x80) return raw.toString('latin1');
  return raw.toString('ascii');
}
