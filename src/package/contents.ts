// What goes into an artifact's zip: the source (minus install-only files) at the root of a
// function or under the runtime's layer path, plus the copied-out dependencies at their path.
import picomatch from 'picomatch';
import type { ZipInput } from '../zip/types.js';
import type { SourceEntry } from './sources.js';

export interface PackageTree {
  /** Prefix inside the zip ('' for the root). */
  readonly prefix: string;
  readonly entries: readonly SourceEntry[];
  /** Globs (relative to the tree) that stay out of the zip: `exclude`, install-only files. */
  readonly skip?: readonly string[];
}

function joinZipPath(prefix: string, rel: string): string {
  return prefix ? `${prefix}/${rel}` : rel;
}

/** Every directory leading to `path` ('a/b/c' → ['a', 'a/b']). */
function parents(path: string): string[] {
  const parts = path.split('/');
  return parts.slice(1).map((_, i) => parts.slice(0, i + 1).join('/'));
}

/** The entries of a tree that ship (its skip globs applied). */
export function shippedEntries(tree: PackageTree): readonly SourceEntry[] {
  if (!tree.skip?.length) return tree.entries;
  const skip = picomatch([...tree.skip], { dot: true });
  return tree.entries.filter((e) => !skip(e.path));
}

/** Merges trees into zip inputs; later trees win on the same path; parent directories added. */
export function zipInputs(trees: readonly PackageTree[]): ZipInput[] {
  const byPath = new Map<string, ZipInput>();
  for (const tree of trees) {
    for (const entry of shippedEntries(tree)) {
      const path = joinZipPath(tree.prefix, entry.path);
      for (const dir of parents(path)) if (!byPath.has(dir)) byPath.set(dir, { path: dir, kind: 'directory' });
      byPath.set(path, entry.kind === 'file' ? { path, kind: 'file', source: entry.absolute, executable: entry.executable }
        : entry.kind === 'symlink' ? { path, kind: 'symlink', linkTarget: entry.linkTarget! }
        : { path, kind: 'directory' });
    }
  }
  return [...byPath.values()];
}
