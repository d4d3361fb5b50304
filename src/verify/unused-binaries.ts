// Binaries that ship in packages for other platforms and are never loaded on Lambda: node-gyp-build
// prebuilds for other platforms, libcs or Node ABIs, binaries in the directories of a bundle named
// by platform-CPU that are not the target's (a package's own run-time choice, as deasync's), and helpers that packages run only on Windows.
// They are dead weight, not load failures, so binary checks skip them; what a package does load is
// still proven by the load check.
import { posix } from 'node:path';
import type { Architecture, Runtime } from '../runtimes.js';

const PREBUILD = /(?:^|\/)prebuilds\/([^/]+)\/([^/]+)$/;
/** Helpers that packages run only on Windows: setuptools'/distlib's script launchers, ssh2's Pageant bridge. */
const WINDOWS_ONLY = /(?:^|\/)(?:(?:setuptools|distlib)\/[^/]+|ssh2\/util\/pagent)\.exe$/;

export interface PrebuildLocation {
  /** e.g. `node_modules/@datadog/pprof/prebuilds/linux-x64` */
  readonly directory: string;
  readonly platform: string;
  readonly cpus: readonly string[];
  readonly tags: readonly string[];
}

/** Where a node-gyp-build prebuild sits and what its name says, or undefined if it is not one. */
export function prebuildLocation(path: string): PrebuildLocation | undefined {
  const match = PREBUILD.exec(path);
  if (!match) return undefined;
  const [, dir, file] = match as unknown as [string, string, string];
  const dash = dir.indexOf('-');
  const platform = dash === -1 ? dir : dir.slice(0, dash);
  const cpus = dash === -1 ? [] : dir.slice(dash + 1).split('+');
  return { directory: posix.dirname(path), platform, cpus, tags: file.split('.') };
}

/** Node-API version tags or ABI numbers are in a prebuild's name: `node.abi108.node`, `node.napi.node`. */
export function prebuildAbi(tags: readonly string[]): number | 'napi' | undefined {
  if (tags.includes('napi')) return 'napi';
  const abi = tags.find((t) => /^abi\d+$/.test(t));
  return abi === undefined ? undefined : Number(abi.slice(3));
}

/**
 * A directory named for one Node platform and CPU, as packages lay out the prebuilt binaries
 * they pick at run time by `${process.platform}-${process.arch}` (deasync's
 * `bin/darwin-arm64-node-22/`, many `lib/binding/linux-x64/`): with an optional `-node-<major>`
 * (or other) suffix.
 */
const PLATFORM_DIR = /^(aix|android|darwin|freebsd|linux|netbsd|openbsd|sunos|win32)-(arm|arm64|ia32|loong64|mips|mipsel|ppc|ppc64|riscv64|s390|s390x|x64)(?:-(.+))?$/;

/** The platform-named directories among a path's directories: where each is, and what it names. */
function platformDirectories(path: string): { parent: string; where: string; platform: string; cpu: string; suffix: string | undefined }[] {
  const dirs = path.split('/').slice(0, -1);
  return dirs.flatMap((dir, i) => {
    const match = PLATFORM_DIR.exec(dir);
    return match ? [{ parent: dirs.slice(0, i).join('/'), where: dirs.slice(0, i + 1).join('/'), platform: match[1]!, cpu: match[2]!, suffix: match[3] }] : [];
  });
}

/**
 * Directories that hold platform-named directories for more than one platform-CPU: a bundle a
 * package picks one from at run time. One platform directory alone is not a bundle: an
 * `@esbuild/darwin-arm64` installed alone is a wrong install, which verification must flag.
 */
export function platformBundles(paths: Iterable<string>): Set<string> {
  const names = new Map<string, Set<string>>();
  for (const path of paths) {
    for (const { parent, platform, cpu } of platformDirectories(path)) {
      const seen = names.get(parent) ?? new Set<string>();
      seen.add(`${platform}-${cpu}`);
      names.set(parent, seen);
    }
  }
  return new Set([...names].filter(([, seen]) => seen.size > 1).map(([parent]) => parent));
}

/** Why a bundle's directory on the path says its binaries are for another platform, CPU or Node major. */
function otherPlatformDirectory(path: string, runtime: Runtime, arch: Architecture, bundles: ReadonlySet<string>): string | undefined {
  for (const { parent, where, platform, cpu, suffix } of platformDirectories(path)) {
    if (!bundles.has(parent)) continue;
    if (platform !== 'linux' || cpu !== arch.nodeArch) return `its package keeps ${where}/ for ${platform}-${cpu}, not linux-${arch.nodeArch}`;
    const node = suffix && /^node-?(\d+)$/.exec(suffix);
    if (node && runtime.nodeMajor !== undefined && Number(node[1]) !== runtime.nodeMajor) return `its package keeps ${where}/ for Node ${node[1]}, not ${runtime.nodeMajor}`;
  }
  return undefined;
}

/** Why Lambda never loads this file, or undefined when it may. */
export function unusedOnLambda(path: string, runtime: Runtime, arch: Architecture, bundles: ReadonlySet<string> = new Set()): string | undefined {
  const prebuild = prebuildLocation(path);
  if (prebuild) {
    if (prebuild.platform !== 'linux' || !prebuild.cpus.includes(arch.nodeArch)) {
      return `node-gyp-build loads ${prebuild.directory}/ only on ${prebuild.platform}-${prebuild.cpus.join('+')}`;
    }
    if (prebuild.tags.includes('musl')) return 'a musl prebuild, which node-gyp-build loads only on musl systems';
    if (prebuild.tags.includes('electron')) return 'an Electron prebuild';
    const abi = prebuildAbi(prebuild.tags);
    if (typeof abi === 'number' && abi !== runtime.nodeModuleVersion) return `a prebuild for NODE_MODULE_VERSION ${abi}, not loaded by ${runtime.id}`;
    return undefined;
  }
  if (WINDOWS_ONLY.test(path)) return 'a helper its package runs only on Windows';
  return otherPlatformDirectory(path, runtime, arch, bundles);
}
