// The requirements files pip downloads a locked set from: `name==version --hash=sha256:…` lines,
// one file per place packages come from (each index the lockfile names, pip's default index,
// direct URLs and local archives, VCS checkouts), so every package comes from where it was locked.
// Hash-checked wherever the lockfile carries hashes (pip cannot hash a VCS checkout).
import path from 'node:path';
import { ConfigError } from '../../errors.js';
import type { Architecture, Runtime } from '../../runtimes.js';
import { parseSdistName, parseWheelName, wheelFit } from '../pip-tags.js';
import type { IndexCredential, ResolvedIndex } from './indexes.js';
import type { DistributionSource, LockedDistribution } from './lock-types.js';

export interface DownloadGroup {
  /** Where its packages come from, for progress and messages (no credentials). */
  readonly label: string;
  /** The container path lambda-pack writes `content` to. */
  readonly file: string;
  readonly content: string;
  /** Every line carries hashes: downloaded with --require-hashes. */
  readonly hashed: boolean;
  /** It names an index (or uses pip's default one): pip must not run with --no-index. */
  readonly usesIndex: boolean;
}

export interface LockedRequirements {
  readonly groups: readonly DownloadGroup[];
  /** Local project directories (relative to the source) to build: the project itself, path dependencies. */
  readonly localProjects: readonly string[];
  readonly credentials: readonly IndexCredential[];
}

export interface RequirementsOptions {
  /** Where the function's source is in the container (CONTAINER.build). */
  readonly buildDir: string;
  /** Where generated requirements files go in the container. */
  readonly dir: string;
  readonly resolve: (source: Extract<DistributionSource, { kind: 'index' }>) => ResolvedIndex;
}

function hashes(dist: LockedDistribution): string {
  return [...new Set(dist.files.map((f) => f.sha256).filter((h): h is string => Boolean(h)))].sort().map((h) => ` --hash=sha256:${h}`).join('');
}

function hashed(dist: LockedDistribution): boolean {
  return dist.files.some((f) => f.sha256);
}

/** Groups the locked set by origin and writes each group's requirements file. */
export function lockedRequirements(dists: readonly LockedDistribution[], options: RequirementsOptions): LockedRequirements {
  const groups = new Map<string, { label: string; header: string[]; lines: string[]; hashed: boolean; usesIndex: boolean }>();
  const credentials = new Map<string, IndexCredential>();
  const localProjects: string[] = [];
  const add = (key: string, init: () => { label: string; header: string[]; usesIndex: boolean }, line: string, isHashed: boolean) => {
    let group = groups.get(key);
    if (!group) {
      group = { ...init(), lines: [], hashed: isHashed };
      groups.set(key, group);
    }
    group.lines.push(line);
  };
  const inBuild = (p: string) => path.posix.join(options.buildDir, p);
  for (const dist of dists) {
    const { source } = dist;
    const pin = `${dist.name}==${dist.version}`;
    const withHashes = hashed(dist);
    switch (source.kind) {
      case 'index': {
        const index = options.resolve(source);
        if (index.credential) credentials.set(index.credential.host, index.credential);
        add(`index ${index.url ?? ''} ${withHashes}`, () => ({
          label: index.url ? `the index ${index.name ?? index.url}` : "pip's default index", usesIndex: true,
          header: [...(index.url ? [`--index-url ${index.url}`] : []), ...(index.trustedHost ? [`--trusted-host ${index.trustedHost}`] : [])],
        }), `${pin}${hashes(dist)}`, withHashes);
        break;
      }
      case 'wheelhouse':
        add(`wheelhouse ${source.path} ${withHashes}`, () => ({ label: `the wheelhouse ${source.path}`, usesIndex: false, header: ['--no-index', `--find-links ${inBuild(source.path)}`] }), `${pin}${hashes(dist)}`, withHashes);
        break;
      case 'archive':
      case 'url':
        add(`direct ${withHashes}`, () => ({ label: 'direct URLs and local archives', usesIndex: false, header: ['--no-index'] }),
          `${source.kind === 'archive' ? inBuild(source.path) : `${dist.name} @ ${source.url}`}${hashes(dist)}`, withHashes);
        break;
      case 'vcs':
        add('vcs', () => ({ label: 'version control', usesIndex: false, header: ['--no-index'] }), `${dist.name} @ ${source.url}`, false);
        break;
      default:
        localProjects.push(source.path);
    }
  }
  let n = 0;
  return {
    groups: [...groups.values()].map((g) => ({
      label: g.label, file: path.posix.join(options.dir, `download-${++n}.txt`), hashed: g.hashed, usesIndex: g.usesIndex,
      content: [...g.header, ...g.lines].join('\n') + '\n',
    })),
    localProjects, credentials: [...credentials.values()].sort((a, b) => a.host.localeCompare(b.host)),
  };
}

/** The locked packages that have no file pip could install for the task (judged from the file names the lockfile lists). */
export function unavailableForTarget(dists: readonly LockedDistribution[], runtime: Runtime, arch: Architecture): LockedDistribution[] {
  return dists.filter((dist) => {
    if (dist.source.kind !== 'index' && dist.source.kind !== 'url' && dist.source.kind !== 'wheelhouse') return false;
    const named = dist.files.filter((f) => f.name);
    if (named.length === 0) return false; // Pipfile.lock: hashes only, pip decides in the container
    return !named.some((f) => parseSdistName(f.name) || (parseWheelName(f.name) && wheelFit(parseWheelName(f.name)!, runtime, arch) === 'fits'));
  });
}

/** Throws ConfigError when a locked package cannot be installed for the task at all. */
export function checkAvailable(dists: readonly LockedDistribution[], runtime: Runtime, arch: Architecture, file: string): void {
  const missing = unavailableForTarget(dists, runtime, arch);
  if (missing.length === 0) return;
  const [first] = missing;
  const target = `${runtime.id} on ${arch.name} (cp${runtime.python!.join('')}, ${arch.gnuArch}, manylinux with glibc ≤ ${runtime.glibc.join('.')})`;
  throw new ConfigError('LOCK_NO_FILE_FOR_TARGET', `${file} locks ${first!.name} ${first!.version}, which has no wheel for ${target} and no sdist${missing.length > 1 ? ` (and ${missing.length - 1} more: ${missing.slice(1).map((d) => d.name).join(', ')})` : ''}. Lock a version that has one, or exclude it for this platform with a marker.`, { file, fix: 'lock a version with a wheel for the target, or add a marker' });
}
