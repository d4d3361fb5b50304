// The files of a zip as Lambda will see them once extracted: function code under /var/task,
// layers under /opt (later layers overwriting earlier ones). Answers "does this path exist?",
// following symlinks inside the packages.
import { posix } from 'node:path';
import type { ZipEntry } from '../zip/read/archive.js';
import { entryKind, unixMode, type EntryKind } from '../zip/read/modes.js';

export const FUNCTION_ROOT = '/var/task';
export const LAYER_ROOT = '/opt';

/** One zip entry with its normalised path and what kind of thing it is. */
export interface PackageEntry {
  /** The name as stored in the zip. */
  readonly name: string;
  /** Normalised relative path without a trailing slash; undefined when the name is unsafe. */
  readonly path: string | undefined;
  readonly kind: EntryKind;
  readonly mode: number | undefined;
  readonly size: number;
  readonly zipEntry: ZipEntry;
  /** For symlinks: the target as stored. */
  target?: string;
}

export function toPackageEntry(zipEntry: ZipEntry): PackageEntry {
  return {
    name: zipEntry.name,
    path: safeRelativePath(zipEntry.name),
    kind: entryKind(zipEntry),
    mode: unixMode(zipEntry),
    size: zipEntry.uncompressedSize,
    zipEntry,
  };
}

/** Why a stored name is unsafe, or undefined when it is a plain relative path. */
export function unsafeNameReason(name: string): string | undefined {
  if (name[0] !== '/' && name[1] !== ':' && !name.includes('..') && !name.includes('\\') && !name.includes('\0')) return undefined;
  if (name.includes('\\')) return 'contains a backslash';
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) return 'is an absolute path';
  if (name.split('/').includes('..')) return 'contains a .. segment';
  if (name.includes('\0')) return 'contains a NUL byte';
  return undefined;
}

function safeRelativePath(name: string): string | undefined {
  if (unsafeNameReason(name)) return undefined;
  const normal = posix.normalize(name).replace(/\/+$/, '');
  return normal === '.' || normal === '' ? undefined : normal.replace(/^\.\//, '');
}

/** One extracted package (function or layer) mounted at `root`. */
export class PackageTree {
  private readonly byPath = new Map<string, PackageEntry>();
  private readonly directories = new Set<string>();

  constructor(readonly root: string, readonly entries: readonly PackageEntry[], readonly label: string) {
    for (const entry of entries) {
      if (entry.path === undefined) continue;
      this.byPath.set(entry.path, entry);
      if (entry.kind === 'directory') this.directories.add(entry.path);
      for (let dir = posix.dirname(entry.path); dir !== '.'; dir = posix.dirname(dir)) {
        if (this.directories.has(dir)) break;
        this.directories.add(dir);
      }
    }
  }

  get(path: string): PackageEntry | undefined {
    return this.byPath.get(path);
  }

  isDirectory(path: string): boolean {
    return this.directories.has(path);
  }
}

const MAX_SYMLINK_HOPS = 16;

/** The function and its layers, as one filesystem. */
export class LambdaFilesystem {
  constructor(private readonly packages: readonly PackageTree[]) {}

  /**
   * The entry at an absolute path, following symlinks (bounded), or undefined. Later packages mounted
   * at the same root win, as later layers do.
   */
  resolve(absolute: string, hops = 0): { tree: PackageTree; entry: PackageEntry } | undefined {
    for (let i = this.packages.length - 1; i >= 0; i--) {
      const tree = this.packages[i]!;
      const relative = relativeTo(tree.root, absolute);
      if (relative === undefined) continue;
      const entry = tree.get(relative);
      if (!entry) continue;
      if (entry.kind !== 'symlink' || entry.target === undefined) return { tree, entry };
      if (hops >= MAX_SYMLINK_HOPS) return undefined;
      return this.resolve(posix.resolve(posix.dirname(absolute), entry.target), hops + 1);
    }
    return undefined;
  }

  exists(absolute: string): boolean {
    return this.resolve(absolute) !== undefined;
  }

  /** Whether `absolute` lies inside a mounted package root. */
  covers(absolute: string): boolean {
    return this.packages.some((tree) => relativeTo(tree.root, absolute) !== undefined);
  }
}

/** `absolute` relative to `root`, or undefined when it is not below it. */
export function relativeTo(root: string, absolute: string): string | undefined {
  const normal = posix.normalize(absolute);
  return normal.startsWith(`${root}/`) ? normal.slice(root.length + 1) : undefined;
}
