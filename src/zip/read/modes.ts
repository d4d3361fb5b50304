// What kind of thing a zip entry is (file, directory, symlink) and its Unix mode, if the zip records one.
import type { ZipEntry } from './central-directory.js';
import { DOS_DIRECTORY, HOST_MACOS, HOST_UNIX, S_IFDIR, S_IFLNK, S_IFMT } from '../constants.js';

export type EntryKind = 'file' | 'directory' | 'symlink';


/** The Unix mode stored in the entry, or undefined when the zip was written without one (e.g. on Windows). */
export function unixMode(entry: ZipEntry): number | undefined {
  const host = entry.versionMadeBy >> 8;
  if (host !== HOST_UNIX && host !== HOST_MACOS) return undefined;
  const mode = entry.externalAttributes >>> 16;
  return mode === 0 ? undefined : mode;
}

export function entryKind(entry: ZipEntry): EntryKind {
  const mode = unixMode(entry);
  const type = mode === undefined ? 0 : mode & S_IFMT;
  if (type === S_IFLNK) return 'symlink';
  if (type === S_IFDIR || entry.name.endsWith('/')) return 'directory';
  // MS-DOS directory attribute, for zips written without Unix modes.
  if (mode === undefined && entry.externalAttributes & DOS_DIRECTORY) return 'directory';
  return 'file';
}

/** Permission bits as `0755`. */
export function formatMode(mode: number): string {
  return `0${(mode & 0o7777).toString(8).padStart(3, '0')}`;
}
