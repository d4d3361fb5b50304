// What keys the dependency cache of a locked install: the distributions it installs for the task
// (after markers, groups and extras), not the lockfile's bytes. A lockfile change that does not
// change them (a Windows-only package, another dependency group, a reformatted file) keys the
// same; credentials key only as hashes.
import { createHash } from 'node:crypto';
import { redactUrl } from './indexes.js';
import type { DistributionSource, LockedDistribution, LockFormat } from './lock-types.js';

function where(source: DistributionSource): string {
  switch (source.kind) {
    case 'index': return `index ${redactUrl(source.url).replace(/\/+$/, '')}`;
    case 'url': case 'vcs': return `${source.kind} ${redactUrl(source.url)}`;
    default: return `${source.kind} ${source.path}`;
  }
}

export interface LockedKeyMaterial {
  readonly lockfile: LockFormat;
  /** The project's own directory when it is built and installed too. */
  readonly project: string | null;
  readonly distributions: readonly { readonly name: string; readonly version: string; readonly source: string; readonly sha256: readonly string[] }[];
  /** sha256 of each credential variable's value, by name: a changed token rebuilds, and no token is written down. */
  readonly credentials: Readonly<Record<string, string>>;
}

export function lockedKeyMaterial(format: LockFormat, distributions: readonly LockedDistribution[], project: string | undefined,
  credentials: Readonly<Record<string, string>> = {}): LockedKeyMaterial {
  return {
    lockfile: format,
    project: project ?? null,
    distributions: distributions.map((d) => ({
      name: d.name, version: d.version, source: where(d.source),
      sha256: [...new Set(d.files.map((f) => f.sha256).filter((h): h is string => Boolean(h)))].sort(),
    })),
    credentials: Object.fromEntries(Object.keys(credentials).sort().map((name) => [name, createHash('sha256').update(`lambda-pack credential\0${credentials[name]}`).digest('hex')])),
  };
}
