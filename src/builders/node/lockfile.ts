// Which lockfile a Node project has, and reading it into the lockfile model. The lockfile present
// decides the package manager; two of them is an error naming both.
import { ConfigError } from '../../errors.js';
import { parseBunLockfile } from './bun-lockfile.js';
import type { Lockfile, LockfileKind } from './lockfile-model.js';
import type { PackageManifest } from './manifest.js';
import { parseNpmLockfile } from './npm-lockfile.js';
import { parsePnpmLockfile } from './pnpm-lockfile.js';
import { parseYarnBerryLockfile } from './yarn-berry-lockfile.js';
import { parseYarnClassicLockfile } from './yarn-classic-lockfile.js';

export type ManagerName = 'npm' | 'pnpm' | 'yarn' | 'bun';

/** Lockfile names → manager, in the order they are looked for. */
export const LOCKFILES: readonly (readonly [string, ManagerName])[] = [
  ['package-lock.json', 'npm'], ['npm-shrinkwrap.json', 'npm'], ['pnpm-lock.yaml', 'pnpm'], ['yarn.lock', 'yarn'], ['bun.lock', 'bun'],
];

export const MANAGER_OF: Readonly<Record<LockfileKind, ManagerName>> = {
  npm: 'npm', pnpm: 'pnpm', 'yarn-classic': 'yarn', 'yarn-berry': 'yarn', bun: 'bun',
};

/**
 * The one lockfile among `names` (the files of a directory), or undefined when there is none.
 * `dir` only words the messages.
 */
export function findLockfile(names: Iterable<string>, dir: string): { name: string; manager: ManagerName } | undefined {
  const present = new Set(names);
  if (present.has('bun.lockb') && !present.has('bun.lock')) {
    throw new ConfigError('LOCKFILE_UNSUPPORTED',
      `${dir}/bun.lockb is bun's binary lockfile, which lambda-pack cannot read. Bun 1.2 and later write the text bun.lock: ` +
      `run \`bun install --save-text-lockfile --frozen-lockfile\` and commit bun.lock (then delete bun.lockb).`,
      { file: `${dir}/bun.lockb`, fix: 'bun install --save-text-lockfile' });
  }
  const found = LOCKFILES.filter(([name]) => present.has(name));
  if (found.length > 1) {
    const names = found.map(([name]) => `${dir}/${name}`);
    throw new ConfigError('LOCKFILE_AMBIGUOUS',
      `${names.join(' and ')}: ${found.length} lockfiles in one project, so which package manager installs it is ambiguous. ` +
      `Delete the one${found.length > 2 ? 's' : ''} the project does not use (keep the lockfile of the manager in package.json "packageManager").`,
      { file: names[0]!, fix: `delete all but one of ${found.map(([n]) => n).join(', ')}` });
  }
  const [only] = found;
  return only ? { name: only[0], manager: only[1] } : undefined;
}

/** yarn.lock's two formats: berry's starts its YAML with __metadata; classic's says "yarn lockfile v1". */
export function yarnLockfileKind(text: string): 'yarn-classic' | 'yarn-berry' {
  return /^__metadata:/m.test(text) ? 'yarn-berry' : 'yarn-classic';
}

export function lockfileKind(name: string, text: string): LockfileKind {
  const manager = LOCKFILES.find(([n]) => n === name)?.[1];
  if (manager === 'yarn') return yarnLockfileKind(text);
  if (!manager) throw new Error(`not a lockfile name: ${name}`);
  return manager;
}

/**
 * Parses a lockfile. `manifests` are the package.json files of the root ('.') and the workspace
 * members, by directory relative to the lockfile: yarn's lockfiles need them to tell
 * devDependencies apart (berry) or to know the root's dependencies at all (classic); pnpm's and
 * berry's do not record members' versions.
 */
export function parseLockfile(kind: LockfileKind, file: string, text: string, manifests: ReadonlyMap<string, PackageManifest> = new Map()): Lockfile {
  switch (kind) {
    case 'npm': return parseNpmLockfile(file, text);
    case 'pnpm': return parsePnpmLockfile(file, text, manifests);
    case 'yarn-classic': return parseYarnClassicLockfile(file, text, manifests);
    case 'yarn-berry': return parseYarnBerryLockfile(file, text, manifests);
    case 'bun': return parseBunLockfile(file, text);
  }
}
