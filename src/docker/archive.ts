// Tar streams to and from containers (the engine's archive API): pack a file list for copying
// in, and extract a copied-out tree safely onto the host as the invoking user.
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, symlink, rm } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
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

export interface ExtractedEntry { readonly path: string; readonly kind: 'file' | 'directory' | 'symlink'; readonly executable: boolean; readonly size: number }

/** Which extracted paths to keep (relative to the extraction root); directories are pruned whole. */
export type KeepFilter = (relPath: string, kind: ExtractedEntry['kind']) => boolean;

/**
 * Extracts a tar stream into `dest`, stripping the first `strip` path components. Entries that
 * would land outside `dest`, absolute or escaping symlinks, devices and FIFOs are dropped.
 */
function drain(body: Pick<Readable, 'on' | 'resume'>): Promise<void> {
  return new Promise((resolve, reject) => { body.on('end', resolve); body.on('error', reject); body.resume(); });
}

export async function extractTar(stream: Readable, dest: string, options: { strip?: number; keep?: KeepFilter } = {}): Promise<ExtractedEntry[]> {
  const extract = tar.extract();
  const written: ExtractedEntry[] = [];
  const root = path.resolve(dest);
  await mkdir(root, { recursive: true });
  extract.on('entry', (header, body, next) => {
    const rel = header.name.split('/').filter((s) => s !== '' && s !== '.').slice(options.strip ?? 0).join('/');
    const kind = header.type === 'directory' ? 'directory' : header.type === 'symlink' ? 'symlink'
      : header.type === 'file' || header.type === 'contiguous-file' ? 'file' : undefined;
    const target = path.resolve(root, rel);
    const inside = rel !== '' && !rel.split('/').includes('..') && target.startsWith(root + path.sep);
    const fail = (error: unknown) => extract.destroy(error as Error);
    if (!kind || !inside || (options.keep && !options.keep(rel, kind))) { drain(body as unknown as Readable).then(() => next(), fail); return; }
    const executable = ((header.mode ?? 0) & 0o111) !== 0;
    const work = kind === 'file'
      ? (async () => {
          await mkdir(path.dirname(target), { recursive: true });
          await rm(target, { force: true });
          await pipeline(body as unknown as Readable, createWriteStream(target, { mode: executable ? 0o755 : 0o644 }));
        })()
      : (async () => {
          await drain(body as unknown as Readable);
          if (kind === 'directory') { await mkdir(target, { recursive: true }); return true; }
          const link = header.linkname ?? '';
          const resolved = path.resolve(path.dirname(target), link);
          if (path.isAbsolute(link) || !(resolved === root || resolved.startsWith(root + path.sep))) return false;
          await mkdir(path.dirname(target), { recursive: true });
          await rm(target, { force: true });
          await symlink(link, target);
          return true;
        })();
    work.then((kept) => {
      if (kept !== false) written.push({ path: rel, kind, executable, size: header.size ?? 0 });
      next();
    }, fail);
  });
  await pipeline(stream, extract);
  return written;
}
