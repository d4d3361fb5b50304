// A zip's entries as a tar stream for the engine's archive API, the way Lambda extracts a zip:
// the zip's own modes kept (a 0600 file stays unreadable to the function's user), symlinks kept,
// root the owner, missing parent directories made 0755. Zips without Unix modes get 0644/0755.
import type { Readable } from 'node:stream';
import tar from 'tar-stream';
import { LIMITS } from '../runtimes.js';
import { ZipArchive, type ZipEntry } from '../zip/read/archive.js';
import { entryKind, unixMode } from '../zip/read/modes.js';

/** An entry Lambda could not extract inside its directory (absolute, or climbing out with `..`). */
export class UnsafeEntryError extends Error {
  constructor(readonly entry: string) {
    super(`entry ${JSON.stringify(entry)} would land outside the directory the zip is extracted to`);
    this.name = 'UnsafeEntryError';
  }
}

const HEADER = { uid: 0, gid: 0, mtime: new Date(315532800000) };

function safeName(raw: string): string {
  const name = raw.replace(/\\/g, '/').replace(/^(\.\/)+/, '').replace(/\/+$/, '');
  if (name.startsWith('/') || name.split('/').includes('..')) throw new UnsafeEntryError(raw);
  return name;
}

/** The tar of one zip; a read error or an unsafe entry fails the stream. */
export function zipToTar(zipPath: string): Readable {
  const pack = tar.pack();
  void (async () => {
    const archive = ZipArchive.open(zipPath);
    try {
      const written = new Set<string>();
      const directory = (name: string, mode: number) => {
        pack.entry({ ...HEADER, name: `${name}/`, type: 'directory', mode });
        written.add(name);
      };
      const parents = (name: string) => {
        const parts = name.split('/');
        for (let i = 1; i < parts.length; i++) {
          const parent = parts.slice(0, i).join('/');
          if (!written.has(parent)) directory(parent, 0o755);
        }
      };
      for (const entry of archive.entries) {
        const name = safeName(entry.name);
        if (name === '') continue;
        parents(name);
        await writeEntry(pack, archive, entry, name, directory);
      }
      pack.finalize();
    } catch (error) {
      pack.destroy(error as Error);
    } finally {
      archive.close();
    }
  })();
  // tar-stream's streams are streamx streams: they pipe like Node's but are typed apart.
  return pack as unknown as Readable;
}

async function writeEntry(pack: tar.Pack, archive: ZipArchive, entry: ZipEntry, name: string, directory: (name: string, mode: number) => void): Promise<void> {
  const kind = entryKind(entry);
  const mode = unixMode(entry);
  if (kind === 'directory') { directory(name, mode === undefined ? 0o755 : mode & 0o7777); return; }
  const content = archive.readAll(entry, LIMITS.unzippedBytes);
  if (kind === 'symlink') { pack.entry({ ...HEADER, name, type: 'symlink', linkname: content.toString('utf8'), mode: 0o777 }); return; }
  // Waiting for each entry keeps memory to one entry: the pack holds back while the engine reads.
  await new Promise<void>((resolve, reject) => {
    pack.entry({ ...HEADER, name, size: content.length, mode: mode === undefined ? 0o644 : mode & 0o7777 }, content, (error) => error ? reject(error) : resolve());
  });
}
