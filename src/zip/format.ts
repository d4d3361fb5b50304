// Byte layout of the zip records lambda-pack writes (APPNOTE 6.3.x): pure encoders, no I/O.
import { CENTRAL_HEADER_SIGNATURE, CENTRAL_HEADER_SIZE, DOS_DIRECTORY, END_SIGNATURE, END_SIZE, HOST_UNIX, LOCAL_HEADER_SIGNATURE, LOCAL_HEADER_SIZE, type METHOD_DEFLATE, type METHOD_STORE, S_IFDIR, ZIP64_END_SIGNATURE, ZIP64_LOCATOR_SIGNATURE } from './constants.js';

/** Largest value a 32-bit zip field holds; the value itself means "see the ZIP64 extra field". */
export const MAX_UINT32 = 0xffff_ffff;
/** Largest entry count the classic end record holds; the value itself means "see ZIP64". */
export const MAX_UINT16 = 0xffff;

export { METHOD_DEFLATE, METHOD_STORE, S_IFDIR, S_IFLNK, S_IFREG } from './constants.js';

const ZIP64_EXTRA_ID = 0x0001;
const ZIP64_END_SIZE = 56;
const ZIP64_LOCATOR_SIZE = 20;

/** "Version made by": host system Unix, so readers honour the mode in the external attributes; spec 2.0. */
export const VERSION_MADE_BY = (HOST_UNIX << 8) | 20;
const VERSION_NEEDED_DEFAULT = 20;
const VERSION_NEEDED_ZIP64 = 45;
/** General purpose bit 11: the name is UTF-8. */
export const FLAG_UTF8 = 1 << 11;


/** One entry as both headers describe it. */
export interface ZipRecord {
  /** stored name, UTF-8, directories ending in '/' */
  name: Uint8Array;
  /** Unix mode including the file-type bits (S_IFREG / S_IFDIR / S_IFLNK) */
  mode: number;
  method: typeof METHOD_STORE | typeof METHOD_DEFLATE;
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
  localHeaderOffset: number;
  dosTime: DosDateTime;
}

export interface DosDateTime {
  time: number;
  date: number;
}

const DOS_MIN = Date.UTC(1980, 0, 1, 0, 0, 0);
const DOS_MAX = Date.UTC(2107, 11, 31, 23, 59, 58);

/** MS-DOS date and time from the UTC fields (never local time), clamped to the range DOS can hold, seconds rounded down to even. */
export function toDosDateTime(when: Date): DosDateTime {
  const clamped = new Date(Math.min(Math.max(when.getTime(), DOS_MIN), DOS_MAX));
  return {
    time: (clamped.getUTCHours() << 11) | (clamped.getUTCMinutes() << 5) | (clamped.getUTCSeconds() >> 1),
    date: ((clamped.getUTCFullYear() - 1980) << 9) | ((clamped.getUTCMonth() + 1) << 5) | clamped.getUTCDate(),
  };
}

function isAscii(name: Uint8Array): boolean {
  return name.every((byte) => byte < 0x80);
}

function flagsFor(name: Uint8Array): number {
  return isAscii(name) ? 0 : FLAG_UTF8;
}

/** Sizes need ZIP64 fields. Deflated data is stored only when it is smaller, so the compressed size never exceeds the uncompressed one. */
function needsZip64Sizes(record: Pick<ZipRecord, 'uncompressedSize' | 'compressedSize'>): boolean {
  return record.uncompressedSize >= MAX_UINT32 || record.compressedSize >= MAX_UINT32;
}

function needsZip64(record: Pick<ZipRecord, 'uncompressedSize' | 'compressedSize' | 'localHeaderOffset'>): boolean {
  return needsZip64Sizes(record) || record.localHeaderOffset >= MAX_UINT32;
}

/** The extra field: empty, or the ZIP64 one with the given 64-bit values in spec order. */
function zip64Extra(values: number[]): Buffer {
  if (values.length === 0) return Buffer.alloc(0);
  const extra = Buffer.alloc(4 + 8 * values.length);
  extra.writeUInt16LE(ZIP64_EXTRA_ID, 0);
  extra.writeUInt16LE(8 * values.length, 2);
  for (const [index, value] of values.entries()) extra.writeBigUInt64LE(BigInt(value), 4 + 8 * index);
  return extra;
}

function clamp32(value: number): number {
  return Math.min(value, MAX_UINT32);
}

interface HeaderLayout {
  signature: number;
  fixedSize: number;
  /** where the run of fields both headers share begins: "version needed to extract" */
  sharedAt: number;
}

const LOCAL_LAYOUT: HeaderLayout = { signature: LOCAL_HEADER_SIGNATURE, fixedSize: LOCAL_HEADER_SIZE, sharedAt: 4 };
const CENTRAL_LAYOUT: HeaderLayout = { signature: CENTRAL_HEADER_SIGNATURE, fixedSize: CENTRAL_HEADER_SIZE, sharedAt: 6 };

/** Both headers share the fields from "version needed" to "extra field length", and end with the name then the extra field. */
function header(layout: HeaderLayout, record: ZipRecord, sizeFields: { compressed: number; uncompressed: number }, extra: Buffer): Buffer {
  const bytes = Buffer.alloc(layout.fixedSize + record.name.length + extra.length);
  bytes.writeUInt32LE(layout.signature, 0);
  const at = layout.sharedAt;
  bytes.writeUInt16LE(needsZip64(record) ? VERSION_NEEDED_ZIP64 : VERSION_NEEDED_DEFAULT, at);
  bytes.writeUInt16LE(flagsFor(record.name), at + 2);
  bytes.writeUInt16LE(record.method, at + 4);
  bytes.writeUInt16LE(record.dosTime.time, at + 6);
  bytes.writeUInt16LE(record.dosTime.date, at + 8);
  bytes.writeUInt32LE(record.crc32, at + 10);
  bytes.writeUInt32LE(sizeFields.compressed, at + 14);
  bytes.writeUInt32LE(sizeFields.uncompressed, at + 18);
  bytes.writeUInt16LE(record.name.length, at + 22);
  bytes.writeUInt16LE(extra.length, at + 24);
  bytes.set(record.name, layout.fixedSize);
  extra.copy(bytes, layout.fixedSize + record.name.length);
  return bytes;
}

/**
 * Local file header. Its length depends only on the name and the uncompressed size,
 * so a header reserved before the data is compressed can be patched in place afterwards.
 */
export function localHeader(record: ZipRecord): Buffer {
  // The local ZIP64 field must carry both sizes whenever it is present.
  const zip64 = needsZip64Sizes({ uncompressedSize: record.uncompressedSize, compressedSize: 0 });
  const extra = zip64Extra(zip64 ? [record.uncompressedSize, record.compressedSize] : []);
  const sizeFields = zip64
    ? { compressed: MAX_UINT32, uncompressed: MAX_UINT32 }
    : { compressed: record.compressedSize, uncompressed: record.uncompressedSize };
  return header(LOCAL_LAYOUT, record, sizeFields, extra);
}

export function externalAttributes(mode: number): number {
  const directory = (mode & 0o170000) === S_IFDIR ? DOS_DIRECTORY : 0;
  return ((mode << 16) | directory) >>> 0;
}

export function centralHeader(record: ZipRecord): Buffer {
  const zip64Values: number[] = [];
  if (record.uncompressedSize >= MAX_UINT32) zip64Values.push(record.uncompressedSize);
  if (record.compressedSize >= MAX_UINT32) zip64Values.push(record.compressedSize);
  if (record.localHeaderOffset >= MAX_UINT32) zip64Values.push(record.localHeaderOffset);
  const sizeFields = { compressed: clamp32(record.compressedSize), uncompressed: clamp32(record.uncompressedSize) };
  const bytes = header(CENTRAL_LAYOUT, record, sizeFields, zip64Extra(zip64Values));
  bytes.writeUInt16LE(VERSION_MADE_BY, 4);
  // comment length, disk number start and internal attributes stay 0
  bytes.writeUInt32LE(externalAttributes(record.mode), 38);
  bytes.writeUInt32LE(clamp32(record.localHeaderOffset), 42);
  return bytes;
}

export interface CentralDirectoryLocation {
  entries: number;
  offset: number;
  size: number;
}

/** End of central directory, preceded by the ZIP64 end record and locator when any classic field overflows. */
export function endOfCentralDirectory(directory: CentralDirectoryLocation): Buffer {
  const entriesOverflow = directory.entries >= MAX_UINT16;
  const zip64 = entriesOverflow || directory.offset >= MAX_UINT32 || directory.size >= MAX_UINT32;
  const end = Buffer.alloc(END_SIZE);
  end.writeUInt32LE(END_SIGNATURE, 0);
  // disk numbers stay 0
  end.writeUInt16LE(entriesOverflow ? MAX_UINT16 : directory.entries, 8);
  end.writeUInt16LE(entriesOverflow ? MAX_UINT16 : directory.entries, 10);
  end.writeUInt32LE(clamp32(directory.size), 12);
  end.writeUInt32LE(clamp32(directory.offset), 16);
  // comment length stays 0
  if (!zip64) return end;

  const zip64End = Buffer.alloc(ZIP64_END_SIZE);
  zip64End.writeUInt32LE(ZIP64_END_SIGNATURE, 0);
  zip64End.writeBigUInt64LE(BigInt(ZIP64_END_SIZE - 12), 4);
  zip64End.writeUInt16LE(VERSION_MADE_BY, 12);
  zip64End.writeUInt16LE(VERSION_NEEDED_ZIP64, 14);
  // disk numbers stay 0
  zip64End.writeBigUInt64LE(BigInt(directory.entries), 24);
  zip64End.writeBigUInt64LE(BigInt(directory.entries), 32);
  zip64End.writeBigUInt64LE(BigInt(directory.size), 40);
  zip64End.writeBigUInt64LE(BigInt(directory.offset), 48);

  const locator = Buffer.alloc(ZIP64_LOCATOR_SIZE);
  locator.writeUInt32LE(ZIP64_LOCATOR_SIGNATURE, 0);
  locator.writeBigUInt64LE(BigInt(directory.offset + directory.size), 8);
  locator.writeUInt32LE(1, 16);
  return Buffer.concat([zip64End, locator, end]);
}
