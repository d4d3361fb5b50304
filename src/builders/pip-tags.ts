// Wheel tags for a Lambda Python runtime: which manylinux platforms its glibc accepts, how a wheel
// file name reads, and whether a wheel installs there. Pure: PEP 425, PEP 427 and PEP 600.
import type { Architecture, Runtime } from '../runtimes.js';

/** The pre-PEP 600 names pip still writes and accepts beside `manylinux_2_<minor>`. */
const LEGACY: Readonly<Record<number, string>> = { 17: 'manylinux2014', 12: 'manylinux2010', 5: 'manylinux1' };
/** The oldest glibc a manylinux wheel of each architecture can ask for. */
const OLDEST_MINOR: Readonly<Record<Architecture['gnuArch'], number>> = { x86_64: 5, aarch64: 17 };

/**
 * Every manylinux platform tag a runtime's glibc accepts on `arch`, best first, in the order pip
 * ranks them on such a system (newest glibc first, each followed by its legacy alias): given as
 * `--platform` values they make pip choose as it would on Lambda.
 */
export function manylinuxPlatforms(arch: Architecture, glibc: readonly [number, number]): string[] {
  const tags: string[] = [];
  for (let minor = glibc[1]; minor >= OLDEST_MINOR[arch.gnuArch]; minor--) {
    tags.push(`manylinux_2_${minor}_${arch.gnuArch}`);
    const legacy = LEGACY[minor];
    if (legacy && (legacy === 'manylinux2014' || arch.gnuArch === 'x86_64')) tags.push(`${legacy}_${arch.gnuArch}`);
  }
  return tags;
}

export interface WheelName {
  /** PEP 503 normalised project name. */
  readonly project: string;
  readonly version: string;
  readonly pythons: readonly string[];
  readonly abis: readonly string[];
  readonly platforms: readonly string[];
}

/** PEP 503: lower case, runs of `-`, `_`, `.` as one `-`. */
export function normaliseProject(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

/** `name-version(-build)?-python-abi-platform.whl`, tag sets compressed with `.`; undefined if not a wheel name. */
export function parseWheelName(file: string): WheelName | undefined {
  const parts = /^(.+?)-([^-]+)(?:-\d[^-]*)?-([^-]+)-([^-]+)-([^-]+)\.whl$/i.exec(file);
  if (!parts) return undefined;
  const [, project, version, pythons, abis, platforms] = parts as unknown as [string, string, string, string, string, string];
  return { project: normaliseProject(project), version, pythons: pythons.split('.'), abis: abis.split('.'), platforms: platforms.split('.') };
}

/** `name-version.tar.gz` (or .zip, .tar.bz2): a source distribution, which compiles on install. */
export function parseSdistName(file: string): { project: string; version: string } | undefined {
  const parts = /^(.+)-(\d[^-]*)\.(?:tar\.gz|tar\.bz2|tar\.xz|zip)$/i.exec(file);
  return parts ? { project: normaliseProject(parts[1]!), version: parts[2]! } : undefined;
}

function pythonFits(python: string, abi: string, minor: number): boolean {
  const tag = /^(py|cp)3(\d*)$/.exec(python);
  if (!tag) return false;
  const wheelMinor = tag[2] === '' ? 0 : Number(tag[2]);
  if (abi === 'none') return wheelMinor <= minor && (tag[1] === 'py' || wheelMinor === minor || tag[2] === '');
  if (tag[1] !== 'cp') return false;
  if (abi === 'abi3') return wheelMinor <= minor;
  return abi === `cp3${minor}` && wheelMinor === minor;
}

/**
 * How a wheel relates to a runtime on `arch`:
 * - `fits`: it installs there, and a `--platform` install for the runtime's glibc chooses it;
 * - `too-new`: it is for this CPU and Python but needs a newer glibc (or is an unportable
 *   `linux_<arch>` build): an install inside a container of the architecture may take it where a
 *   `--platform` install does not, so the two could differ;
 * - `other`: another CPU, OS or Python.
 */
export function wheelFit(wheel: WheelName, runtime: Runtime, arch: Architecture): 'fits' | 'too-new' | 'other' {
  const minor = runtime.python![1];
  const python = wheel.pythons.some((p) => wheel.abis.some((a) => pythonFits(p, a, minor)));
  if (!python) return 'other';
  const accepted = new Set(['any', ...manylinuxPlatforms(arch, runtime.glibc)]);
  if (wheel.platforms.some((p) => accepted.has(p))) return 'fits';
  const forThisCpu = wheel.platforms.some((p) => p === `linux_${arch.gnuArch}` || new RegExp(`^manylinux(?:_\\d+_\\d+|1|2010|2014)_${arch.gnuArch}$`).test(p));
  return forThisCpu ? 'too-new' : 'other';
}

/** pip's refusal to build anything: a --platform install that resolves dependencies needs it. */
export const ONLY_BINARY = '--only-binary=:all:';

/**
 * pip's options for installing the runtime's wheels for `arch` from a container of another
 * architecture. `locallyBuilt`: the install also takes the wheels lambda-pack cross-compiled,
 * which setuptools tags `linux_<arch>` (ranked last, as pip on the target ranks them).
 */
export function crossInstallOptions(runtime: Runtime, arch: Architecture, options: { locallyBuilt?: boolean } = {}): string[] {
  const [major, minor] = runtime.python!;
  const platforms = [...manylinuxPlatforms(arch, runtime.glibc), ...(options.locallyBuilt ? [`linux_${arch.gnuArch}`] : [])];
  return [
    ...platforms.flatMap((p) => ['--platform', p]),
    '--implementation', 'cp', '--python-version', `${major}.${minor}`, '--abi', `cp${major}${minor}`, ONLY_BINARY,
  ];
}
