// Removes what a builder's keep filter leaves out of a copied-out install (build intermediates,
// bytecode), after extraction: a hard link may need a file that itself does not ship.
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';

/** Whether a path of the tree (relative, '/'-separated) ships; a directory left out goes whole. */
export type KeepFilter = (relPath: string, kind: 'file' | 'directory' | 'symlink') => boolean;

/** Removes every path of `root` that `keep` refuses; returns how many were removed. */
export async function pruneTree(root: string, keep: KeepFilter): Promise<number> {
  let removed = 0;
  const visit = async (dir: string, rel: string): Promise<void> => {
    for (const item of await readdir(dir, { withFileTypes: true })) {
      const itemRel = rel ? `${rel}/${item.name}` : item.name;
      const kind = item.isSymbolicLink() ? 'symlink' : item.isDirectory() ? 'directory' : 'file';
      const absolute = path.join(dir, item.name);
      if (!keep(itemRel, kind)) { await rm(absolute, { recursive: true, force: true }); removed++; continue; }
      if (kind === 'directory') await visit(absolute, itemRel);
    }
  };
  await visit(root, '');
  return removed;
}
