// Which package manager, at which version, installs a Node project: the lockfile decides the
// manager, package.json "packageManager" (corepack's field) the version, else a pinned default.
// Every manager but the image's own npm is installed in the build container from the npm registry.
import { ConfigError } from '../../errors.js';
import type { Lockfile, LockfileKind } from './lockfile-model.js';
import { MANAGER_OF, type ManagerName } from './lockfile.js';

/**
 * Defaults when package.json has no "packageManager": the latest release of the manager's line
 * that writes the project's lockfile version (pnpm 8 writes lockfile 6.x, pnpm 9 and later 9.0;
 * yarn 4 writes __metadata 8 and later). npm without "packageManager" is the build image's own.
 */
export const DEFAULT_MANAGER_VERSIONS = {
  pnpm6: '8.15.9',
  pnpm9: '10.34.9',
  'yarn-classic': '1.22.22',
  'yarn-berry': '4.18.1',
  bun: '1.4.5',
} as const;

export interface ManagerHash {
  readonly algorithm: string;
  readonly hex: string;
}

export interface ManagerChoice {
  readonly manager: ManagerName;
  readonly lockfile: LockfileKind;
  /** Undefined: the npm that comes with the build image. */
  readonly version?: string;
  readonly source: 'packageManager' | 'default' | 'image' | 'yarnPath';
  /** The npm registry package holding that manager (yarn berry is published as @yarnpkg/cli-dist). */
  readonly registryPackage?: string;
  /** corepack's "+sha512.<hex>": of the registry tarball, or for yarn berry of its bin/yarn.js. */
  readonly hash?: ManagerHash;
  /** A release checked into the project (.yarnrc.yml yarnPath), relative to the project root. */
  readonly yarnPath?: string;
  /** Why this manager and version, for plan output. */
  readonly reason: string;
}

const SPEC = /^(npm|pnpm|yarn|bun)@(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)(?:\+(sha1|sha224|sha256|sha384|sha512)\.([0-9a-f]+))?$/;

function registryPackage(kind: LockfileKind, manager: ManagerName): string {
  if (kind === 'yarn-berry') return '@yarnpkg/cli-dist';
  return manager;
}

function defaultVersion(lockfile: Lockfile): string | undefined {
  switch (lockfile.kind) {
    case 'npm': return undefined;
    case 'pnpm': return lockfile.version.startsWith('6') ? DEFAULT_MANAGER_VERSIONS.pnpm6 : DEFAULT_MANAGER_VERSIONS.pnpm9;
    case 'yarn-classic': return DEFAULT_MANAGER_VERSIONS['yarn-classic'];
    case 'yarn-berry': return Number(lockfile.version) >= 8 ? DEFAULT_MANAGER_VERSIONS['yarn-berry'] : undefined;
    case 'bun': return DEFAULT_MANAGER_VERSIONS.bun;
  }
}

export interface ManagerInputs {
  readonly lockfile: Lockfile;
  /** package.json's "packageManager", and where it is (for messages). */
  readonly packageManager?: string;
  readonly manifestFile: string;
  /** .yarnrc.yml's yarnPath, relative to the project root. */
  readonly yarnPath?: string;
}

export function chooseManager({ lockfile, packageManager, manifestFile, yarnPath }: ManagerInputs): ManagerChoice {
  const manager = MANAGER_OF[lockfile.kind];
  if (packageManager !== undefined) {
    const match = SPEC.exec(packageManager);
    if (!match) {
      throw new ConfigError('PACKAGE_MANAGER_INVALID',
        `${manifestFile}: "packageManager": "${packageManager}" is not an exact release lambda-pack can install ` +
        `(it takes <npm|pnpm|yarn|bun>@<x.y.z>, optionally +sha512.<hex>, as corepack writes it). Set it with: corepack use ${manager}@<version>`,
        { file: manifestFile, field: 'packageManager', fix: `corepack use ${manager}@<version>` });
    }
    const [, named, version, algorithm, hex] = match as unknown as [string, ManagerName, string, string?, string?];
    const berry = named === 'yarn' && Number(version.split('.')[0]) >= 2;
    const kind: LockfileKind | undefined = named === 'yarn' ? (berry ? 'yarn-berry' : 'yarn-classic') : named;
    if (kind !== lockfile.kind) {
      throw new ConfigError('PACKAGE_MANAGER_MISMATCH',
        `${manifestFile}: "packageManager": "${packageManager}" does not match ${lockfile.file}, which ${lockfile.kind === 'yarn-berry' ? 'yarn 2 or later' : lockfile.kind === 'yarn-classic' ? 'yarn 1' : lockfile.kind} writes. ` +
        `Use the manager that wrote the lockfile, or regenerate the lockfile with ${packageManager.split('+')[0]}.`,
        { file: manifestFile, field: 'packageManager' });
    }
    return {
      manager, lockfile: lockfile.kind, version, source: 'packageManager', registryPackage: registryPackage(lockfile.kind, manager),
      ...(algorithm && hex ? { hash: { algorithm, hex } } : {}),
      ...(yarnPath && lockfile.kind === 'yarn-berry' ? { yarnPath } : {}),
      reason: `${manifestFile} "packageManager"`,
    };
  }
  if (yarnPath && lockfile.kind === 'yarn-berry') {
    return { manager, lockfile: lockfile.kind, source: 'yarnPath', yarnPath, reason: `.yarnrc.yml yarnPath ${yarnPath}` };
  }
  if (lockfile.kind === 'npm') return { manager, lockfile: 'npm', source: 'image', reason: 'package-lock.json, no "packageManager": the build image\'s npm' };
  const version = defaultVersion(lockfile);
  if (version === undefined) {
    throw new ConfigError('PACKAGE_MANAGER_REQUIRED',
      `${lockfile.file} was written by yarn ${lockfile.version === '6' ? '3' : '2'} (lockfile __metadata version ${lockfile.version}), and ${manifestFile} has no "packageManager" naming it. ` +
      `Add it (corepack use yarn@<the version you use>) or check in the release (yarnPath in .yarnrc.yml).`,
      { file: manifestFile, field: 'packageManager', fix: 'corepack use yarn@<version>' });
  }
  return {
    manager, lockfile: lockfile.kind, version, source: 'default', registryPackage: registryPackage(lockfile.kind, manager),
    reason: `${lockfile.file} (lockfile ${lockfile.version}), no "packageManager": lambda-pack's default ${manager} ${version}`,
  };
}
