// What a Python lockfile says, in one shape for uv.lock, poetry.lock and Pipfile.lock: locked
// packages, the edges between them (with markers), the roots per dependency group and extra, and
// the indexes they come from. Also reads the TOML and JSON files with errors that name file:line.
import { readFile } from 'node:fs/promises';
import { parse as parseToml } from 'smol-toml';
import { ConfigError } from '../../errors.js';

export type LockFormat = 'uv.lock' | 'poetry.lock' | 'Pipfile.lock';

export interface LockedFile {
  /** The file name (a wheel or sdist), '' when the lockfile carries only hashes (Pipfile.lock). */
  readonly name: string;
  readonly sha256?: string;
  readonly url?: string;
}

/** Where a locked distribution comes from. Paths are relative to the function's source, '/'-separated. */
export type DistributionSource =
  | { readonly kind: 'index'; readonly url: string; readonly name?: string }
  /** A local directory of distribution files (uv's flat registry, pip's --find-links). */
  | { readonly kind: 'wheelhouse'; readonly path: string }
  | { readonly kind: 'url'; readonly url: string }
  /** pip's spelling: `git+https://host/repo@<commit>#subdirectory=…`. */
  | { readonly kind: 'vcs'; readonly url: string }
  | { readonly kind: 'archive'; readonly path: string }
  | { readonly kind: 'directory'; readonly path: string };

export interface LockedDistribution {
  /** PEP 503 normalised. */
  readonly name: string;
  readonly version: string;
  readonly source: DistributionSource;
  readonly files: readonly LockedFile[];
}

/** A dependency as a lockfile records it: which package, under which marker, with which extras. */
export interface LockEdge {
  readonly name: string;
  readonly marker?: string;
  readonly extras: readonly string[];
  /** Picks one of several locked versions of `name`: an exact version or a PEP 440 specifier set. */
  readonly version?: string;
  readonly specifier?: string;
  /** Picks by source (uv records it when one name is locked from two sources). */
  readonly sourceKey?: string;
}

export interface LockedPackage extends LockedDistribution {
  /** Unique within the lockfile. */
  readonly key: string;
  readonly sourceKey: string;
  readonly dependencies: readonly LockEdge[];
  /** The package's own extras: what each adds. */
  readonly optional: Readonly<Record<string, readonly LockEdge[]>>;
}

export interface LockIndex {
  readonly name?: string;
  readonly url: string;
}

export interface LockGraph {
  readonly format: LockFormat;
  /** Absolute path, for messages. */
  readonly file: string;
  readonly packages: readonly LockedPackage[];
  /** What the project always installs. */
  readonly main: readonly LockEdge[];
  /** Per dependency group (normalised names), what it adds. */
  readonly groups: Readonly<Record<string, readonly LockEdge[]>>;
  /** Per extra of the project (normalised names), what it adds. */
  readonly extras: Readonly<Record<string, readonly LockEdge[]>>;
  /** The groups that are development-only: never shipped, whatever the config says. */
  readonly devGroups: readonly string[];
  /** The project itself, when it is a package to build and install (its directory, '.'). */
  readonly project?: { readonly name: string; readonly path: string };
  readonly indexes: readonly LockIndex[];
}

function lineAt(text: string, offset: number): number {
  return text.slice(0, offset).split('\n').length;
}

/** A lockfile or manifest that does not parse: names file:line and the fix. */
function malformed(file: string, line: number | undefined, reason: string, fix: string, cause: unknown): ConfigError {
  const where = line ? `${file}:${line}` : file;
  return new ConfigError('LOCKFILE_MALFORMED', `${where} cannot be read: ${reason}. ${fix}`, { file: where, fix }, { cause });
}

export async function readText(file: string): Promise<string> {
  return readFile(file, 'utf8').catch((error: unknown) => {
    throw new ConfigError('LOCKFILE_UNREADABLE', `${file} cannot be read (${(error as NodeJS.ErrnoException).code}). Fix its permissions (chmod a+r).`, { file }, { cause: error });
  });
}

export async function readTomlFile(file: string, fix: string): Promise<Record<string, unknown>> {
  const text = await readText(file);
  try {
    return parseToml(text) as Record<string, unknown>;
  } catch (error) {
    const { line } = error as { line?: number };
    throw malformed(file, line, `invalid TOML (${String((error as Error).message).split('\n')[0]!.replace(/^Invalid TOML document: /, '')})`, fix, error);
  }
}

export async function readJsonFile(file: string, fix: string): Promise<Record<string, unknown>> {
  const text = await readText(file);
  try {
    const value = JSON.parse(text) as unknown;
    if (!value || typeof value !== 'object' || Array.isArray(value)) throw new SyntaxError('the top level is not an object');
    return value as Record<string, unknown>;
  } catch (error) {
    const message = String((error as Error).message);
    const position = /position (\d+)/.exec(message)?.[1];
    const line = /line (\d+)/.exec(message)?.[1];
    throw malformed(file, line ? Number(line) : position ? lineAt(text, Number(position)) : undefined, `invalid JSON (${message.replace(/ in JSON at position \d+.*$/, '')})`, fix, error);
  }
}

/** A lockfile whose content is not what its format says: names the file, the entry and the fix. */
export function badEntry(file: string, what: string, fix: string): ConfigError {
  return new ConfigError('LOCKFILE_INVALID', `${file}: ${what}. ${fix}`, { file, fix });
}

export const asArray = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
export const asTable = (value: unknown): Record<string, unknown> =>
  (value && typeof value === 'object' && !Array.isArray(value) ? value as Record<string, unknown> : {});
export const asString = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** The file name at the end of a URL or path. */
export function fileName(urlOrPath: string): string {
  return decodeURIComponent(urlOrPath.replace(/[?#].*$/, '').split('/').pop() ?? '');
}

/** `sha256:<hex>` (or `sha256=<hex>`) → `<hex>`; undefined for other algorithms. */
export function sha256Of(hash: unknown): string | undefined {
  return typeof hash === 'string' ? /^sha256[:=]([0-9a-f]{64})$/i.exec(hash.trim())?.[1]?.toLowerCase() : undefined;
}
