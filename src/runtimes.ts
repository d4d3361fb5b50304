// The one table of Lambda runtimes and architectures: OS, glibc, ABI, images and layer paths.
// Everything else asks this module; no runtime or architecture string comparisons elsewhere.

export type ArchName = 'x86_64' | 'arm64';

/** An architecture as a value: carries its Docker platform, ELF machine and toolchain names. */
export interface Architecture {
  readonly name: ArchName;
  /** Docker/OCI platform string requested for every image and container of this arch. */
  readonly dockerPlatform: 'linux/amd64' | 'linux/arm64';
  /** The `Architecture` field Docker reports for images of this arch. */
  readonly dockerArch: 'amd64' | 'arm64';
  /** ELF e_machine: EM_X86_64 = 62, EM_AARCH64 = 183. */
  readonly elfMachine: number;
  /** Node's `process.arch` / npm `--cpu` value. */
  readonly nodeArch: 'x64' | 'arm64';
  /** GNU triple prefix used in Python extension tags and toolchains. */
  readonly gnuArch: 'x86_64' | 'aarch64';
}

export const ARCHITECTURES: Readonly<Record<ArchName, Architecture>> = {
  x86_64: { name: 'x86_64', dockerPlatform: 'linux/amd64', dockerArch: 'amd64', elfMachine: 62, nodeArch: 'x64', gnuArch: 'x86_64' },
  arm64: { name: 'arm64', dockerPlatform: 'linux/arm64', dockerArch: 'arm64', elfMachine: 183, nodeArch: 'arm64', gnuArch: 'aarch64' },
};

export const ARCH_NAMES = Object.keys(ARCHITECTURES) as ArchName[];

export function architecture(name: ArchName): Architecture {
  return ARCHITECTURES[name];
}

export function isArchName(value: string): value is ArchName {
  return Object.hasOwn(ARCHITECTURES, value);
}

/** The architecture of the machine lambda-pack runs on, if Lambda has it. */
export function hostArchitecture(nodeArch: string = process.arch): Architecture | undefined {
  return Object.values(ARCHITECTURES).find((a) => a.nodeArch === nodeArch);
}

export type Family = 'nodejs' | 'python' | 'provided';
export type OperatingSystem = 'al2' | 'al2023';

export interface Runtime {
  readonly id: string;
  readonly family: Family;
  readonly os: OperatingSystem;
  /** Highest glibc symbol version the runtime's OS provides, as [major, minor]. */
  readonly glibc: readonly [number, number];
  readonly deprecated: boolean;
  /** Node: NODE_MODULE_VERSION of the runtime's Node major. */
  readonly nodeModuleVersion?: number;
  /** Node: the major version. */
  readonly nodeMajor?: number;
  /** Python: [major, minor]. */
  readonly python?: readonly [number, number];
  /** Where this runtime looks for layer content, relative to /opt. */
  readonly layerPaths: readonly string[];
}

export const GLIBC: Readonly<Record<OperatingSystem, readonly [number, number]>> = {
  al2: [2, 26],
  al2023: [2, 34],
};

function node(major: number, moduleVersion: number, os: OperatingSystem, deprecated = false): Runtime {
  return {
    id: `nodejs${major}.x`, family: 'nodejs', os, glibc: GLIBC[os], deprecated,
    nodeMajor: major, nodeModuleVersion: moduleVersion,
    layerPaths: ['nodejs/node_modules', `nodejs/node${major}/node_modules`, 'bin', 'lib'],
  };
}

function python(minor: number, os: OperatingSystem): Runtime {
  return {
    id: `python3.${minor}`, family: 'python', os, glibc: GLIBC[os], deprecated: false,
    python: [3, minor],
    layerPaths: ['python', `python/lib/python3.${minor}/site-packages`, 'bin', 'lib'],
  };
}

function provided(os: OperatingSystem): Runtime {
  return { id: `provided.${os}`, family: 'provided', os, glibc: GLIBC[os], deprecated: false, layerPaths: ['bin', 'lib'] };
}

/** Source: ../shared/LAMBDA.md (AWS Lambda runtimes page, Node ABI registry), as of 2026. */
export const RUNTIMES: readonly Runtime[] = [
  node(18, 108, 'al2', true), node(20, 115, 'al2023'), node(22, 127, 'al2023'), node(24, 137, 'al2023'),
  python(9, 'al2'), python(10, 'al2'), python(11, 'al2'),
  python(12, 'al2023'), python(13, 'al2023'), python(14, 'al2023'),
  provided('al2'), provided('al2023'),
];

export const RUNTIME_IDS = RUNTIMES.map((r) => r.id);

export function findRuntime(id: string): Runtime | undefined {
  return RUNTIMES.find((r) => r.id === id);
}

export function runtime(id: string): Runtime {
  const found = findRuntime(id);
  if (!found) throw new Error(`unknown runtime ${id}`);
  return found;
}

/** The official SAM build image for a runtime and architecture. */
export function defaultBuildImage(rt: Runtime, arch: Architecture): string {
  return `public.ecr.aws/sam/build-${rt.id}:latest-${arch.name}`;
}

/** The official Lambda runtime base image (what Lambda itself runs). */
export function runtimeBaseImage(rt: Runtime, arch: Architecture): string {
  const version = rt.family === 'nodejs' ? String(rt.nodeMajor)
    : rt.family === 'python' ? `${rt.python![0]}.${rt.python![1]}`
    : rt.os;
  const repo = rt.family === 'provided' ? 'provided' : rt.family;
  return `public.ecr.aws/lambda/${repo}:${version}-${arch.name}`;
}

export const LIMITS = {
  /** Function plus all its layers, unzipped. */
  unzippedBytes: 262_144_000,
  /** Direct upload limit for a zip. */
  zippedDirectUploadBytes: 50 * 1024 * 1024,
  maxLayers: 5,
} as const;
