// Which lockfile a Python function has, and reading it: uv.lock, poetry.lock or Pipfile.lock, each
// beside its manifest. One at most; a lockfile beside a requirements.txt is ambiguous.
import path from 'node:path';
import { ConfigError } from '../../errors.js';
import type { LockFormat, LockGraph } from './lock-types.js';
import { readPipfileLock } from './pipfile-lock.js';
import { readPoetryLock } from './poetry-lock.js';
import { readUvLock } from './uv-lock.js';

const MANIFEST: Readonly<Record<LockFormat, string>> = { 'uv.lock': 'pyproject.toml', 'poetry.lock': 'pyproject.toml', 'Pipfile.lock': 'Pipfile' };
const TOOL: Readonly<Record<LockFormat, string>> = { 'uv.lock': 'uv lock', 'poetry.lock': 'poetry lock --no-update', 'Pipfile.lock': 'pipenv lock' };
export const LOCKFILES = Object.keys(MANIFEST) as LockFormat[];

/** Files that only steer a locked install: read on the host, never sent into the container, never shipped. */
export const LOCK_MANIFESTS = ['uv.lock', 'poetry.lock', 'Pipfile.lock', 'Pipfile', 'uv.toml'];

/**
 * The lockfile among a source's top-level files, undefined when there is none. Throws ConfigError
 * for two lockfiles, a lockfile without its manifest, a Pipfile without Pipfile.lock, and a
 * lockfile beside a requirements.txt.
 */
export function findLockfile(source: string, files: ReadonlySet<string>): LockFormat | undefined {
  const found = LOCKFILES.filter((f) => files.has(f));
  if (found.length > 1) {
    throw new ConfigError('LOCKFILES_SEVERAL', `${source} has ${found.join(' and ')}: lambda-pack installs from one lockfile and cannot tell which is current. Delete the ones the project no longer uses.`, { file: path.join(source, found[1]!), fix: `keep one of ${found.join(', ')}` });
  }
  if (found.length === 0) {
    if (files.has('Pipfile')) {
      throw new ConfigError('PIPFILE_UNLOCKED', `${path.join(source, 'Pipfile')} has no Pipfile.lock beside it: lambda-pack installs exactly what a lockfile pins. Run pipenv lock and commit Pipfile.lock.`, { file: path.join(source, 'Pipfile'), fix: 'pipenv lock' });
    }
    return undefined;
  }
  const format = found[0]!;
  if (!files.has(MANIFEST[format])) {
    throw new ConfigError('LOCKFILE_MANIFEST_MISSING', `${path.join(source, format)} has no ${MANIFEST[format]} beside it, which it locks. Restore ${MANIFEST[format]}, or delete ${format}.`, { file: path.join(source, format), fix: `add ${MANIFEST[format]}` });
  }
  if (files.has('requirements.txt')) {
    throw new ConfigError('LOCKFILE_AND_REQUIREMENTS', `${source} has both ${format} and requirements.txt: lambda-pack would install from ${format} and ignore requirements.txt, or the other way round. Delete the one that is not current (a requirements.txt exported from the lock is not needed: lambda-pack reads ${format} itself).`, { file: path.join(source, 'requirements.txt'), fix: `delete requirements.txt or ${format}` });
  }
  return format;
}

export function readLockfile(source: string, format: LockFormat): Promise<LockGraph> {
  switch (format) {
    case 'uv.lock': return readUvLock(source);
    case 'poetry.lock': return readPoetryLock(source);
    default: return readPipfileLock(source);
  }
}

/** The command that refreshes a lockfile, for messages. */
export function lockCommand(format: LockFormat): string {
  return TOOL[format];
}
