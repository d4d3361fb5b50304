// Tar streams into containers (the engine's archive API): a file list packed for copying in, as
// the invoking user. Extraction of what comes out is extract.ts.
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import tar from 'tar-stream';
import type { SourceEntry } from '../package/sources.js';

export interface Owner { readonly uid: number; readonly gid: number }

/** A tar of `entries` under `prefix` (e.g. 'build'), owned by `owner`, modes normalised. */
export function packEntries(entries: readonly SourceEntry[], prefix: string, owner: Owner, extra: readonly { path: string; content: string | Buffer; mode?: number }[] = []): Readable {
  const pack = tar.pack();
  const header = { uid: owner.uid, gid: owner.gid, mtime: new Date(315532800000) };
  void (async () => {
    try {
      pack.entry({ ...header, name: `${prefix}/`, type: 'directory', mode: 0o755 });
      for (const item of extra) pack.entry({ ...header, name: `${prefix}/${item.path}`, mode: item.mode ?? 0o644 }, item.content);
      for (const entry of entries) {
        const name = `${prefix}/${entry.path}`;
        if (entry.kind === 'directory') pack.entry({ ...header, name: `${name}/`, type: 'directory', mode: 0o755 });
        else if (entry.kind === 'symlink') pack.entry({ ...header, name, type: 'symlink', linkname: entry.linkTarget, mode: 0o777 });
        else {
          await new Promise<void>((resolve, reject) => {
            const sink = pack.entry({ ...header, name, size: entry.size, mode: entry.executable ? 0o755 : 0o644 }, (error) => error ? reject(error) : resolve());
            createReadStream(entry.absolute).on('error', reject).pipe(sink);
          });
        }
      }
      pack.finalize();
    } catch (error) {
      pack.destroy(error as Error);
    }
  })();
  // tar-stream's streams are streamx streams: they pipe like Node's but are typed apart.
  return pack as unknown as Readable;
}
