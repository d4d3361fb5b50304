// What a Python lockfile says, in one shape for uv.lock, poetry.lock and Pipfile.lock: locked
// packages, the edges between them (with markers), the roots per dependency group and extra, and
// the indexes they come from. Lockfiles are read through manifests.ts: errors name file:line.
import path from 'node:path';
import { ConfigError } from '../../errors.js';
import { readManifest } from '../manifests.js';

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

async function readParsed(file: string, format: 'toml' | 'json', fix: string): Promise<Record<string, unknown>> {
  const value = await readManifest(file, format, fix);
  if (value === undefined) throw new ConfigError('LOCKFILE_UNREADABLE', `${file} does not exist. ${fix}`, { file, fix });
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new ConfigError('MANIFEST_INVALID', `${file}:1: cannot read ${path.basename(file)}: its top level is not a table. ${fix}`, { file, fix });
  return value as Record<string, unknown>;
}

/** Reads a TOML lockfile or manifest: ConfigError naming file:line and the fix when it does not parse. */
export function readTomlFile(file: string, fix: string): Promise<Record<string, unknown>> {
  return readParsed(file, 'toml', fix);
}

/** Reads a JSON lockfile: ConfigError naming file:line and the fix when it does not parse. */
export function readJsonFile(file: string, fix: string): Promise<Record<string, unknown>> {
  return readParsed(file, 'json', fix);
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
