// Turns the caller's zip inputs into validated entries in stored order (bytewise by name), with their sizes.
import { statSync } from 'node:fs';
import path from 'node:path';
import { ExternalError, InternalError } from '../errors.js';
import { MAX_UINT16, S_IFDIR, S_IFLNK, S_IFREG } from './format.js';
import type { ZipInput } from './types.js';

export interface ZipEntry {
  path: string;
  kind: ZipInput['kind'];
  /** stored name: UTF-8, directories with a trailing '/' */
  name: Buffer;
  /** Unix mode with its file-type bits */
  mode: number;
  /** where a file's bytes are read from... */
  source?: string;
  /** ...or the bytes themselves (a file's content, a symlink's target) */
  bytes?: Uint8Array;
  /** data length in bytes; undefined until a source has been measured (see `measure`) */
  size: number | undefined;
}

function invalid(rawPath: unknown, reason: string): InternalError {
  return new InternalError('ZIP_INVALID_INPUT', `invalid zip input ${JSON.stringify(rawPath)}: ${reason}`);
}

/** A lone surrogate would be silently replaced by U+FFFD when encoded to UTF-8. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function isWellFormed(text: string): boolean {
  return !LONE_SURROGATE.test(text);
}

function checkPath(rawPath: unknown): asserts rawPath is string {
  if (typeof rawPath !== 'string' || rawPath === '') throw invalid(rawPath, 'path must be a non-empty string');
  if (rawPath.includes('\\')) throw invalid(rawPath, 'path must use / separators, not backslashes');
  if (rawPath.includes('\0')) throw invalid(rawPath, 'path must not contain NUL');
  if (rawPath.startsWith('/')) throw invalid(rawPath, 'path must be relative');
  if (rawPath.endsWith('/')) throw invalid(rawPath, 'path must not end with / (the writer adds it to directories)');
  for (const segment of rawPath.split('/')) {
    if (segment === '' || segment === '.' || segment === '..') {
      throw invalid(rawPath, `path must not contain ${segment === '' ? 'empty' : `'${segment}'`} segments`);
    }
  }
  if (!isWellFormed(rawPath)) throw invalid(rawPath, 'path is not well-formed Unicode');
}

function toEntry(input: ZipInput): ZipEntry {
  checkPath(input.path);
  const { path: entryPath, kind, source, content, linkTarget } = input;
  const base = { path: entryPath, kind, name: Buffer.from(entryPath, 'utf8') };
  if (kind === 'directory') {
    if (source !== undefined || content !== undefined || linkTarget !== undefined) {
      throw invalid(entryPath, 'a directory has no source, content or linkTarget');
    }
    return { ...base, name: Buffer.from(`${entryPath}/`, 'utf8'), mode: S_IFDIR | 0o755, size: 0 };
  }
  if (kind === 'symlink') {
    if (source !== undefined || content !== undefined) throw invalid(entryPath, 'a symlink has a linkTarget, not a source or content');
    if (typeof linkTarget !== 'string' || linkTarget === '' || !isWellFormed(linkTarget)) {
      throw invalid(entryPath, 'a symlink needs a non-empty, well-formed linkTarget');
    }
    const bytes = Buffer.from(linkTarget, 'utf8');
    return { ...base, mode: S_IFLNK | 0o777, bytes, size: bytes.length };
  }
  if (kind === 'file') {
    if (linkTarget !== undefined) throw invalid(entryPath, 'a file has no linkTarget');
    const mode = S_IFREG | (input.executable ? 0o755 : 0o644);
    if (content !== undefined && source === undefined) {
      if (!(content instanceof Uint8Array)) throw invalid(entryPath, 'content must be a Uint8Array');
      return { ...base, mode, bytes: content, size: content.length };
    }
    if (source !== undefined && content === undefined) {
      if (typeof source !== 'string' || !path.isAbsolute(source)) throw invalid(entryPath, 'source must be an absolute path');
      return { ...base, mode, source, size: undefined };
    }
    throw invalid(entryPath, 'a file needs exactly one of source or content');
  }
  throw invalid(entryPath, `unknown kind ${JSON.stringify(kind)}`);
}

/** Validates every input and sorts the entries bytewise by stored name, whatever order they came in. */
export function toSortedEntries(inputs: readonly ZipInput[]): ZipEntry[] {
  const entries = inputs.map(toEntry);
  entries.sort((a, b) => Buffer.compare(a.name, b.name));
  const seen = new Set<string>();
  for (const entry of entries) {
    if (seen.has(entry.path)) throw invalid(entry.path, 'path appears more than once');
    seen.add(entry.path);
    if (entry.name.length > MAX_UINT16) throw invalid(entry.path, 'path is longer than 65535 bytes');
  }
  return entries;
}

/**
 * The entry's data length, measured on first use. Sources are measured lazily, as the deflate tasks
 * are planned, so compression starts at once instead of after a pass over every file.
 * A source must be a regular file (a symlink to one counts).
 */
export function measure(entry: ZipEntry): number {
  if (entry.size !== undefined) return entry.size;
  const source = entry.source as string;
  let stats: ReturnType<typeof statSync>;
  try {
    stats = statSync(source);
  } catch (error) {
    throw new ExternalError('ZIP_SOURCE_UNREADABLE', `cannot zip ${source}: ${(error as Error).message}`, {}, { cause: error });
  }
  if (!stats.isFile()) throw new ExternalError('ZIP_SOURCE_NOT_A_FILE', `cannot zip ${source}: not a regular file`);
  entry.size = stats.size;
  return stats.size;
}
