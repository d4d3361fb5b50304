// Reads a zip once for verification: its entries, symlink targets, and every native binary found
// by magic bytes. Reads only the first bytes of ordinary files, and of binaries only what the
// parser asks for. Yields to the event loop now and then, so progress output keeps moving.
import { readBinary, MAGIC_BYTES, sniff } from './binary/read.js';
import type { InspectedBinary } from './checks/context.js';
import { PackageTree, toPackageEntry, type PackageEntry } from './package-tree.js';
import { EntryReadError, type ZipArchive } from '../zip/read/archive.js';

/** Binaries larger than this are reported as not verified rather than read. */
export const MAX_BINARY_BYTES = 1024 * 1024 * 1024;
const MAX_TEXT_BYTES = 4 * 1024 * 1024;
const MAX_SYMLINK_BYTES = 4096;
const ENTRIES_PER_SLICE = 512;

export interface InspectedPackage {
  readonly tree: PackageTree;
  readonly binaries: InspectedBinary[];
  readonly unreadable: Array<{ entry: PackageEntry; reason: string }>;
  readonly unzippedBytes: number;
  readonly zippedBytes: number;
}

export interface InspectOptions {
  /** Look for native binaries (false for layers, which are only consulted for paths and sizes). */
  readonly binaries: boolean;
  /** Paths whose content is never loaded on Lambda (other platforms' prebuilds): not read. */
  readonly unused?: (path: string) => boolean;
}

export async function inspectZip(archive: ZipArchive, root: string, label: string, options: InspectOptions): Promise<InspectedPackage> {
  const entries = archive.entries.map(toPackageEntry);
  const binaries: InspectedBinary[] = [];
  const unreadable: Array<{ entry: PackageEntry; reason: string }> = [];
  let unzippedBytes = 0;
  for (let i = 0; i < entries.length; i++) {
    if (i > 0 && i % ENTRIES_PER_SLICE === 0) await new Promise((resolve) => setImmediate(resolve));
    const entry = entries[i]!;
    unzippedBytes += entry.size;
    try {
      if (entry.kind === 'symlink') entry.target = archive.readPrefix(entry.zipEntry, MAX_SYMLINK_BYTES).toString('utf8');
      else if (options.binaries && entry.kind === 'file' && entry.size > 0 && !options.unused?.(entry.path ?? entry.name)) {
        const binary = inspectFile(archive, entry);
        if (binary) binaries.push(binary);
      }
    } catch (error) {
      if (!(error instanceof EntryReadError)) throw error;
      unreadable.push({ entry, reason: error.message });
    }
  }
  return { tree: new PackageTree(root, entries, label), binaries, unreadable, unzippedBytes, zippedBytes: archive.size };
}

function inspectFile(archive: ZipArchive, entry: PackageEntry): InspectedBinary | undefined {
  const head = archive.readPrefix(entry.zipEntry, MAGIC_BYTES);
  const format = sniff(head);
  if (!format) return undefined;
  if (entry.size > MAX_BINARY_BYTES) {
    return { entry, reading: { kind: 'unparseable', format, reason: `${entry.size} bytes is over the ${MAX_BINARY_BYTES}-byte inspection limit` } };
  }
  const reading = readBinary(head, entry.size, (length) => archive.readPrefix(entry.zipEntry, length));
  return reading.kind === 'other' ? undefined : { entry, reading };
}

/** A small text entry's content, for metadata such as .dist-info/WHEEL; undefined if unreadable. */
export function readText(archive: ZipArchive, entry: PackageEntry): string | undefined {
  return readContent(archive, entry, MAX_TEXT_BYTES)?.toString('utf8');
}

/** An entry's bytes; undefined when it is over `maxBytes` or cannot be read (encrypted, corrupt). */
export function readContent(archive: ZipArchive, entry: PackageEntry, maxBytes: number): Buffer | undefined {
  if (entry.size > maxBytes) return undefined;
  try {
    return archive.readAll(entry.zipEntry, maxBytes);
  } catch (error) {
    if (error instanceof EntryReadError) return undefined;
    throw error;
  }
}
