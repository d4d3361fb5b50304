// Lists the files of a function's source that may enter its zip or its build: sorted, junk and
// `exclude` globs removed, symlinks kept only when they stay inside the source (never followed).
import { access, constants, lstat, readdir, readlink, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import picomatch from 'picomatch';
import { ConfigError } from '../errors.js';

export interface SourceEntry {
  /** '/'-separated path relative to the source root. */
  readonly path: string;
  readonly kind: 'file' | 'directory' | 'symlink';
  /** Absolute host path. */
  readonly absolute: string;
  readonly executable: boolean;
  readonly size: number;
  readonly linkTarget?: string;
}

/** Never packaged, never sent to a build: VCS data, OS litter, host-installed dependencies. */
export const ALWAYS_EXCLUDED = [
  '.git', '.git/**', '.hg/**', '.svn/**', '**/.DS_Store', '**/Thumbs.db', '**/desktop.ini',
  'node_modules', 'node_modules/**', '.lambda-pack/**', '.aws-sam/**',
];

export interface WalkOptions {
  /** Extra globs (relative to the source root) to leave out. */
  readonly exclude?: readonly string[];
  /** Names as the user wrote them, for error messages. */
  readonly artifact: string;
  /** Walk a tree lambda-pack produced itself: no built-in exclusions. */
  readonly produced?: boolean;
}

function compare(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

export async function walkSource(root: string, options: WalkOptions): Promise<SourceEntry[]> {
  const excluded = picomatch([...(options.produced ? [] : ALWAYS_EXCLUDED), ...(options.exclude ?? [])], { dot: true });
  const realRoot = await realpath(root);
  const entries: SourceEntry[] = [];

  async function visit(dir: string, rel: string): Promise<void> {
    let names: string[];
    try { names = await readdir(dir); } catch (error) {
      throw unreadable(options.artifact, dir, error);
    }
    names.sort(compare);
    for (const name of names) {
      const relPath = rel ? `${rel}/${name}` : name;
      if (excluded(relPath)) continue;
      const absolute = path.join(dir, name);
      const info = await lstat(absolute);
      if (info.isSymbolicLink()) {
        entries.push(await symlinkEntry(realRoot, absolute, relPath, options.artifact));
      } else if (info.isDirectory()) {
        entries.push({ path: relPath, kind: 'directory', absolute, executable: true, size: 0 });
        await visit(absolute, relPath);
      } else if (info.isFile()) {
        // Found now rather than halfway through hashing or zipping, with a fix (root reads anything).
        if (!options.produced) await access(absolute, constants.R_OK).catch((error: unknown) => { throw unreadable(options.artifact, absolute, error); });
        entries.push({ path: relPath, kind: 'file', absolute, executable: (info.mode & 0o111) !== 0, size: info.size });
      }
      // Sockets, FIFOs and devices have no place in a zip: skipped.
    }
  }

  await visit(root, '');
  return entries;
}

async function symlinkEntry(realRoot: string, absolute: string, relPath: string, artifact: string): Promise<SourceEntry> {
  const target = await readlink(absolute);
  let resolved: string;
  try {
    resolved = await realpath(absolute);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ELOOP' ? 'is part of a symlink loop' : 'points to something that does not exist';
    throw new ConfigError('SYMLINK_BROKEN', `Function "${artifact}": the symlink ${absolute} → ${target} ${why}. Remove it or fix its target.`, { file: absolute, fix: 'remove or fix the symlink' }, { cause: error });
  }
  if (resolved !== realRoot && !resolved.startsWith(realRoot + path.sep)) {
    throw new ConfigError('SYMLINK_OUTSIDE_SOURCE',
      `Function "${artifact}": the symlink ${absolute} → ${target} points outside the function's source (${resolved}). ` +
      `lambda-pack never follows links out of a source directory: replace the link with a copy of what it points to, or remove it ` +
      `("exclude" does not help: the build reads the whole source).`,
      { file: absolute, fix: 'replace the link with a copy of its target, or remove it' });
  }
  // Store links relative to their own directory, so they still point inside once extracted.
  const relativeTarget = path.relative(path.dirname(path.join(realRoot, relPath)), resolved).split(path.sep).join('/') || '.';
  const size = (await stat(absolute)).isFile() ? (await stat(absolute)).size : 0;
  return { path: relPath, kind: 'symlink', absolute, executable: false, size, linkTarget: relativeTarget };
}

function unreadable(artifact: string, where: string, error: unknown): ConfigError {
  // "exclude" is no way out: it shapes the zip, while the build reads the whole source.
  return new ConfigError('SOURCE_UNREADABLE',
    `Function "${artifact}": cannot read ${where} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}). ` +
    `Make it readable for the user running lambda-pack (chmod -R u+rX ${where}), or move it out of the source directory.`,
    { file: where, fix: 'make it readable or move it out of the source' }, { cause: error });
}
