// Extracts a tar stream copied out of a container onto the host, safe by construction: no entry
// lands outside the destination, none passes through a symlink (links are created last), hard
// links become copies, and anything that cannot be represented fails naming the entry.
import { createWriteStream } from 'node:fs';
import { copyFile, chmod, mkdir, rm, symlink } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import tar from 'tar-stream';
import { ExternalError } from '../errors.js';

export type ExtractedKind = 'file' | 'directory' | 'symlink';

export interface ExtractedEntry { readonly path: string; readonly kind: ExtractedKind; readonly executable: boolean; readonly size: number }

/** A symlink whose target lies outside the destination: not created; the caller materialises it or fails. */
export interface ExternalLink {
  /** Where the link is, relative to the destination. */
  readonly path: string;
  /** Its target as written in the archive. */
  readonly linkname: string;
  /** The target as an absolute path of the archive's filesystem, when `root` was given. */
  readonly target?: string;
}

export interface Extraction {
  readonly entries: readonly ExtractedEntry[];
  readonly externalLinks: readonly ExternalLink[];
}

export interface ExtractOptions {
  /** Leading path components to remove from every entry name (the copied directory's own name). */
  readonly strip?: number;
  /** The absolute path the destination stands for in the archive's filesystem (the container path copied out). */
  readonly root?: string;
  /** Names the archive in errors ("the copy of /build/node_modules out of the container"). */
  readonly what?: string;
}

const MODE_FILE = 0o644;
const MODE_EXECUTABLE = 0o755;

function unsafe(what: string, name: string, why: string): ExternalError {
  return new ExternalError('ARCHIVE_UNSAFE_ENTRY',
    `${what}: the entry "${name}" ${why}, so nothing was extracted from it. An engine's own archives never contain that: check which engine answered (docker.host / DOCKER_HOST) and the network to it.`);
}

function unsupported(what: string, name: string, type: string): ExternalError {
  return new ExternalError('ARCHIVE_ENTRY_UNSUPPORTED',
    `${what}: "${name}" is a ${type}, which a zip cannot hold and Lambda could not use. Make the build produce a regular file there (or remove it from the output), then build again.`);
}

function drain(body: Readable): Promise<void> {
  return new Promise((resolve, reject) => { body.on('end', resolve); body.on('error', reject); body.resume(); });
}

/** Splits an entry name into clean segments; undefined when it climbs out ('..') or is absolute. */
function segments(name: string, strip: number): string[] | undefined {
  if (name.startsWith('/')) return undefined;
  const parts = name.split('/').filter((s) => s !== '' && s !== '.');
  if (parts.includes('..')) return undefined;
  return parts.slice(strip);
}

export async function extractTar(stream: Readable, dest: string, options: ExtractOptions = {}): Promise<Extraction> {
  const what = options.what ?? 'an archive from the engine';
  const strip = options.strip ?? 0;
  const root = path.resolve(dest);
  await mkdir(root, { recursive: true });
  /** What each path holds now; later entries of the same path replace earlier ones, as in tar. */
  const held = new Map<string, { kind: ExtractedKind; executable: boolean; size: number; linkname?: string }>();
  const extract = tar.extract();

  const write = async (rel: string, header: tar.Header, body: Readable): Promise<void> => {
    const target = path.join(root, ...rel.split('/'));
    const type = header.type;
    if (type === 'directory') {
      await drain(body);
      await mkdir(target, { recursive: true });
      held.set(rel, { kind: 'directory', executable: true, size: 0 });
      return;
    }
    if (type === 'symlink') {
      await drain(body);
      // Created once every file is written: no entry can then reach through a link.
      held.set(rel, { kind: 'symlink', executable: false, size: 0, linkname: header.linkname ?? '' });
      return;
    }
    const executable = ((header.mode ?? 0) & 0o111) !== 0;
    await mkdir(path.dirname(target), { recursive: true });
    await rm(target, { recursive: true, force: true });
    if (type === 'link') {
      await drain(body);
      const linked = segments(header.linkname ?? '', strip);
      const source = linked && linked.length > 0 ? held.get(linked.join('/')) : undefined;
      if (!linked || linked.length === 0) throw unsafe(what, header.name, `is a hard link to "${header.linkname}", outside what was copied`);
      if (!source) throw unsafe(what, header.name, `is a hard link to "${header.linkname}", which the archive does not hold before it`);
      if (source.kind === 'directory') throw unsafe(what, header.name, `is a hard link to the directory "${header.linkname}"`);
      if (source.kind === 'symlink') { held.set(rel, { ...source }); return; }
      // A hard link is the same file under a second name: in a zip, a copy of it.
      await copyFile(path.join(root, ...linked), target);
      await chmod(target, source.executable ? MODE_EXECUTABLE : MODE_FILE);
      held.set(rel, { kind: 'file', executable: source.executable, size: source.size });
      return;
    }
    await pipeline(body, createWriteStream(target, { mode: executable ? MODE_EXECUTABLE : MODE_FILE }));
    held.set(rel, { kind: 'file', executable, size: header.size ?? 0 });
  };

  /** Every symlink held now, to refuse entries that would reach through one. */
  const links = new Set<string>();
  const ancestors = (rel: string) => rel.split('/').slice(0, -1).map((_, i, parts) => parts.slice(0, i + 1).join('/'));

  extract.on('entry', (header, rawBody, next) => {
    const body = rawBody as unknown as Readable;
    // The entry's stream fails with the whole extraction, which reports the error itself.
    body.on('error', () => {});
    const parts = segments(header.name, strip);
    const fail = (error: unknown) => extract.destroy(error as Error);
    if (!parts) { fail(unsafe(what, header.name, 'points outside the destination')); return; }
    const rel = parts.join('/');
    if ((header.type as string) === 'pax-global-header' || rel === '') { drain(body).then(() => next(), fail); return; }
    if (!['file', 'contiguous-file', 'directory', 'symlink', 'link'].includes(header.type ?? '')) {
      fail(unsupported(what, header.name, header.type ?? 'entry of an unknown type'));
      return;
    }
    const through = ancestors(rel).find((p) => links.has(p));
    if (through) { fail(unsafe(what, header.name, `lies below the symlink "${through}"`)); return; }
    write(rel, header.type === 'contiguous-file' ? { ...header, type: 'file' } : header, body).then(() => {
      if (held.get(rel)?.kind === 'symlink') links.add(rel); else links.delete(rel);
      next();
    }, fail);
  });
  await pipeline(stream, extract);

  const directories = new Set([...held.keys()].flatMap(ancestors));
  // Links are resolved in the archive's own filesystem, where `root` stands for the destination
  // (without one, a placeholder that a relative link cannot climb out of unnoticed).
  const base = options.root ?? '/.lambda-pack-destination';
  const entries: ExtractedEntry[] = [];
  const externalLinks: ExternalLink[] = [];
  for (const rel of [...held.keys()].sort()) {
    const entry = held.get(rel)!;
    if (entry.kind !== 'symlink') { entries.push({ path: rel, kind: entry.kind, executable: entry.executable, size: entry.size }); continue; }
    if (directories.has(rel)) throw unsafe(what, rel, 'is a symlink with entries below it');
    const link = entry.linkname!;
    const here = path.posix.join(base, path.posix.dirname(rel));
    const resolved = link.startsWith('/') && options.root === undefined ? undefined : path.posix.resolve(here, link);
    const inside = resolved !== undefined && (resolved === base || resolved.startsWith(`${base}/`));
    if (!inside) {
      externalLinks.push({ path: rel, linkname: link, ...(options.root !== undefined || link.startsWith('/') ? { target: resolved ?? link } : {}) });
      continue;
    }
    // Inside: kept relative, so it still points inside wherever the tree is moved.
    const at = path.join(root, ...rel.split('/'));
    await rm(at, { recursive: true, force: true });
    await symlink(path.posix.relative(here, resolved) || '.', at);
    entries.push({ path: rel, kind: 'symlink', executable: false, size: 0 });
  }
  return { entries, externalLinks };
}
