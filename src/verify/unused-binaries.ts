// Binaries that ship in packages for other platforms and are never loaded on Lambda: node-gyp-build
// prebuilds for other platforms, libcs or Node ABIs, and helpers that packages run only on Windows. They are dead weight, not load failures, so binary checks skip them.
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

/** Why Lambda never loads this file, or undefined when it may. */
export function unusedOnLambda(path: string, runtime: Runtime, arch: Architecture): string | undefined {
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
  return undefined;
}
