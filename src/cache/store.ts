// The content-addressed store of dependency installs: one directory per key, written to a temp
// directory and renamed into place (a crash never leaves an entry that reads as valid), shared
// safely by concurrent runs, with least-recently-used eviction under a size cap.
import { cp, mkdir, mkdtemp, readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';

export const DEFAULT_MAX_BYTES = 5 * 1024 ** 3;

export interface EntryMeta {
  readonly key: string;
  readonly bytes: number;
  readonly created: string;
  /** What made it (task, image), for people looking into the cache. */
  readonly description: string;
}

async function treeBytes(dir: string): Promise<number> {
  let total = 0;
  for (const name of await readdir(dir, { recursive: true })) {
    const info = await stat(path.join(dir, name)).catch(() => undefined);
    if (info?.isFile()) total += info.size;
  }
  return total;
}

export class DependencyCache {
  constructor(readonly root: string, private readonly maxBytes = DEFAULT_MAX_BYTES, private readonly now: () => Date = () => new Date()) {}

  private entryDir(key: string): string {
    return path.join(this.root, 'deps', key.slice(0, 2), key);
  }

  /** The cached tree for `key`, marked as just used; undefined when absent. */
  async get(key: string): Promise<string | undefined> {
    const dir = this.entryDir(key);
    const meta = path.join(dir, 'meta.json');
    try {
      const parsed = JSON.parse(await readFile(meta, 'utf8')) as EntryMeta;
      if (parsed.key !== key) return undefined;
      const when = this.now();
      await utimes(meta, when, when).catch(() => {});
      return path.join(dir, 'tree');
    } catch {
      return undefined;
    }
  }

  /**
   * Stores `tree` under `key` (atomically) and returns the cached tree's path. With `move`, the
   * tree is moved in when it lies on the same file system (no copy), else copied.
   */
  async put(key: string, tree: string, description: string, options: { move?: boolean } = {}): Promise<string> {
    const staging = path.join(this.root, 'tmp');
    await mkdir(staging, { recursive: true });
    const temp = await mkdtemp(path.join(staging, `${key.slice(0, 12)}-`));
    try {
      const moved = options.move && await rename(tree, path.join(temp, 'tree')).then(() => true, () => false);
      if (!moved) await cp(tree, path.join(temp, 'tree'), { recursive: true, verbatimSymlinks: true });
      const meta: EntryMeta = { key, bytes: await treeBytes(temp), created: this.now().toISOString(), description };
      // meta.json is written last: a directory without it is never read as an entry.
      await writeFile(path.join(temp, 'meta.json'), JSON.stringify(meta, null, 2));
      // meta.json's mtime is the entry's last use (least-recently-used eviction).
      await utimes(path.join(temp, 'meta.json'), this.now(), this.now());
      const dir = this.entryDir(key);
      await mkdir(path.dirname(dir), { recursive: true });
      try {
        await rename(temp, dir);
      } catch (error) {
        // Another run stored the same key first: same inputs, same content; keep theirs.
        if (!['ENOTEMPTY', 'EEXIST'].includes((error as NodeJS.ErrnoException).code ?? '')) throw error;
      }
      await this.evict();
      return path.join(dir, 'tree');
    } finally {
      await rm(temp, { recursive: true, force: true });
    }
  }

  /** Every entry with its size and last use, oldest use first. */
  async entries(): Promise<{ dir: string; bytes: number; used: number }[]> {
    const found: { dir: string; bytes: number; used: number }[] = [];
    const base = path.join(this.root, 'deps');
    for (const prefix of await readdir(base).catch(() => [] as string[])) {
      for (const key of await readdir(path.join(base, prefix)).catch(() => [] as string[])) {
        const dir = path.join(base, prefix, key);
        try {
          const meta = path.join(dir, 'meta.json');
          const parsed = JSON.parse(await readFile(meta, 'utf8')) as EntryMeta;
          found.push({ dir, bytes: parsed.bytes, used: (await stat(meta)).mtimeMs });
        } catch {
          found.push({ dir, bytes: 0, used: 0 }); // unreadable: first to go
        }
      }
    }
    return found.sort((a, b) => a.used - b.used);
  }

  /** Removes least-recently-used entries until the cache fits its cap. */
  async evict(): Promise<number> {
    const all = await this.entries();
    let total = all.reduce((sum, e) => sum + e.bytes, 0);
    let removed = 0;
    for (const entry of all) {
      if (total <= this.maxBytes) break;
      await rm(entry.dir, { recursive: true, force: true });
      total -= entry.bytes;
      removed++;
    }
    return removed;
  }

  /** Removes everything. */
  async clear(): Promise<void> {
    await rm(this.root, { recursive: true, force: true });
  }
}
