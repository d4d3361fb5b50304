// The install of a Python function or layer as data: the commands (argv lists, in order, run in
// the source directory of the build container), the files lambda-pack writes into the container
// first, and the output directory. Every requirement that compiles is fetched by pip download and
// built by the wheel builder at a path that is the same in every build; pip then installs wheels
// only, with --no-deps, from that directory. A cross compile runs the builder's build hooks with
// the target's compiler and sysconfig data, and builds the wheelhouse sdists a --platform
// download would refuse before it.
import { isUrl, type PipRequirements } from '../pip-requirements.js';
import { ONLY_BINARY } from '../pip-tags.js';
import { CONTAINER } from '../types.js';
import { NETRC_PROGRAM } from './indexes.js';
import type { LockedRequirements } from './locked-requirements.js';
import { WHEEL_BUILDER_PROGRAM } from './wheel-builder-program.js';

/** Fixed container paths of a Python install. */
export const PYTHON_PATHS = {
  /** pip download's output; the wheel builder replaces its sdists with wheels. */
  dist: '/tmp/lambda-pack-python/dist',
  /** The wheel builder's unpacked sdists (src/) and build environments (env/), and installs.txt. */
  work: '/tmp/lambda-pack-python/build',
  /** A cross compile's wheels of wheelhouse sdists, built before the download (which finds them here). */
  prebuilt: '/tmp/lambda-pack-python/prebuilt',
  /** A hybrid's wheels built alone in a container of the target, offered to the cross install (wheel builder "emulated"). */
  emulated: '/tmp/lambda-pack-python/emulated',
  installs: '/tmp/lambda-pack-python/build/installs.txt',
  /** Requirements files generated from a lockfile, written by the first steps (/tmp: writable by the build user). */
  generated: '/tmp/lambda-pack-python/requirements',
  /** Written inside the container from credential variables; HOME is never copied out. */
  netrc: `${CONTAINER.home}/.netrc`,
} as const;

export interface InstallStep {
  /** What it does, for progress lines and failure messages. */
  readonly name: string;
  readonly argv: readonly string[];
  /** Added to the task's environment for this step. */
  readonly env?: Readonly<Record<string, string>>;
}

export interface GeneratedFile {
  readonly path: string;
  readonly content: string;
}

export interface PythonInstall {
  /** The runtime's interpreter every step runs (`python3.11`). */
  readonly python: string;
  readonly steps: readonly InstallStep[];
  /** Written into the container before the first step. */
  readonly files: readonly GeneratedFile[];
  /** Added to the task's environment for every step. */
  readonly env: Readonly<Record<string, string>>;
  /** The directory whose content ships (site-packages layout). */
  readonly output: string;
}

/** Index settings for installing build requirements (setuptools, …) of what the builder compiles. */
export interface BuildSources {
  readonly indexUrl?: string;
  readonly extraIndexUrls?: readonly string[];
  /** Container paths or URLs. */
  readonly findLinks?: readonly string[];
  readonly noIndex?: boolean;
  readonly trustedHosts?: readonly string[];
}

const PIP_QUIET = ['--disable-pip-version-check', '--progress-bar', 'off', '--no-input'];

function pip(python: string, command: string, args: readonly string[]): string[] {
  return [python, '-m', 'pip', command, ...PIP_QUIET, ...args];
}

/** A cross compile of what the install builds (pythonCrossEnv, and the sdists to build first). */
export interface CrossCompile {
  /** The environment of the PEP 517 build hooks (never of pip). */
  readonly env: Readonly<Record<string, string>>;
  /** Container paths of wheelhouse sdists, built into target wheels before the download: a --platform download takes wheels only. */
  readonly prebuild: readonly string[];
  /** Where a hybrid offers the wheels it built on the target (PYTHON_PATHS.emulated): the wheel builder takes those as they are. */
  readonly offered?: string;
}

/** A cross compile's wheel builder: the target's environment, and what a hybrid built on the target taken as it is. */
function crossOptions(compile: CrossCompile): { crossEnv: Readonly<Record<string, string>>; emulated?: string } {
  return { crossEnv: compile.env, ...(compile.offered ? { emulated: compile.offered } : {}) };
}

function buildStep(python: string, localProjects: readonly string[], sources: BuildSources, compile: CrossCompile | undefined): InstallStep {
  const options = { local: [...localProjects], ...sources, ...(compile ? crossOptions(compile) : {}) };
  const what = localProjects.length ? `build every sdist and ${localProjects.join(', ')} into wheels at fixed paths` : 'build every sdist into a wheel at a fixed path';
  return {
    name: compile ? `${what}, cross-compiling for ${compile.env._PYTHON_HOST_PLATFORM}` : what,
    argv: [python, '-c', WHEEL_BUILDER_PROGRAM, PYTHON_PATHS.dist, PYTHON_PATHS.work, JSON.stringify(options)],
  };
}

/** The wheelhouse sdists of a cross compile, built into PYTHON_PATHS.prebuilt (at the wheel builder's usual paths). */
function prebuildStep(python: string, sources: BuildSources, compile: CrossCompile): InstallStep {
  const options = { local: [], sdists: compile.prebuild, ...sources, ...crossOptions(compile) };
  return {
    name: `cross-compile ${compile.prebuild.join(', ')} for ${compile.env._PYTHON_HOST_PLATFORM} at fixed paths`,
    argv: [python, '-c', WHEEL_BUILDER_PROGRAM, PYTHON_PATHS.prebuilt, PYTHON_PATHS.work, JSON.stringify(options)],
  };
}

/** One requirement of a hybrid, built alone in a container of the target into PYTHON_PATHS.emulated, at the paths a whole build gives it. */
export function emulatedPartStep(python: string, part: { readonly sdist: string } | { readonly local: string }, sources: BuildSources): InstallStep {
  const what = 'sdist' in part ? { local: [], sdists: [part.sdist] } : { local: [part.local] };
  return {
    name: `build ${'sdist' in part ? part.sdist : part.local} alone into a wheel at fixed paths`,
    argv: [python, '-c', WHEEL_BUILDER_PROGRAM, PYTHON_PATHS.emulated, PYTHON_PATHS.work, JSON.stringify({ ...what, ...sources, record: true })],
  };
}

function installStep(python: string, cross: readonly string[]): InstallStep {
  return {
    name: 'install the wheels',
    argv: pip(python, 'install', ['--no-deps', '--no-index', '--no-compile', '--no-warn-script-location',
      '--find-links', PYTHON_PATHS.dist, '--target', CONTAINER.out, ...cross, '-r', PYTHON_PATHS.installs]),
  };
}

/** The index settings of a requirements.txt, for installing build requirements (its --find-links dirs under /build). */
export function requirementsBuildSources(requirements: PipRequirements): BuildSources {
  const [indexUrl, ...extraIndexUrls] = requirements.indexes;
  const findLinks = requirements.findLinks.map((f) => (isUrl(f) ? f : `${CONTAINER.build}/${f}`));
  return {
    ...(indexUrl ? { indexUrl } : {}), ...(extraIndexUrls.length ? { extraIndexUrls } : {}),
    ...(findLinks.length ? { findLinks } : {}), ...(requirements.noIndex ? { noIndex: true } : {}),
  };
}

export interface RequirementsInstallOptions {
  /** The runtime's interpreter (`python3.11`). */
  readonly python: string;
  /** Relative to the source: requirements.txt (which may include others), or '.' for a pyproject.toml project. */
  readonly requirementsFile: string;
  /** Local project directories the requirements name (relative to the source): pip download resolves them but does not save them. */
  readonly localProjects: readonly string[];
  /** The requirements' own index settings, for build requirements. */
  readonly buildSources: BuildSources;
  /** pip's --platform … --only-binary=:all: options for a cross build (pip-tags crossInstallOptions). */
  readonly cross?: readonly string[];
  /** With `cross`: what must compile is cross-compiled. */
  readonly compile?: CrossCompile;
}

/** A requirements.txt install: pip download resolves everything, the builder compiles at fixed paths, pip installs. */
export function requirementsInstall(options: RequirementsInstallOptions): PythonInstall {
  const cross = options.cross ?? [];
  const { compile, python } = options;
  const prebuild = compile && compile.prebuild.length > 0 ? compile : undefined;
  return {
    steps: [
      ...(prebuild ? [prebuildStep(python, options.buildSources, prebuild)] : []),
      {
        name: `download ${options.requirementsFile === '.' ? 'what the project requires' : `${options.requirementsFile} and everything it requires`}`,
        argv: pip(python, 'download', ['--dest', PYTHON_PATHS.dist, ...cross, ...(prebuild ? ['--find-links', PYTHON_PATHS.prebuilt] : []),
          ...(options.requirementsFile === '.' ? ['.'] : ['-r', options.requirementsFile])]),
      },
      buildStep(python, options.localProjects, options.buildSources, compile),
      installStep(python, cross),
    ],
    python: options.python, files: [], env: {}, output: CONTAINER.out,
  };
}

export interface LockedInstallOptions {
  readonly python: string;
  readonly requirements: LockedRequirements;
  readonly buildSources: BuildSources;
  readonly cross?: readonly string[];
  /** With `cross`: locked sdists are downloaded as they are and cross-compiled. */
  readonly compile?: CrossCompile;
  /** A netrc file the config names, copied into the container at this path (CONTAINER.support/…). */
  readonly netrcFile?: string;
}

/** A locked install: each group downloaded with --no-deps (hash-checked where it can be), built at fixed paths, installed. */
export function lockedInstall(options: LockedInstallOptions): PythonInstall {
  const { python, requirements, compile } = options;
  const cross = options.cross ?? [];
  // A --no-deps download may take sdists for another platform: the wheel builder cross-compiles them.
  const download = compile ? cross.filter((o) => o !== ONLY_BINARY) : cross;
  const steps: InstallStep[] = [];
  const needsNetrc = requirements.credentials.length > 0 || options.netrcFile !== undefined;
  if (needsNetrc) {
    steps.push({
      name: `write the netrc for ${requirements.credentials.map((c) => c.host).join(', ') || 'the configured netrc'}`,
      argv: [python, '-c', NETRC_PROGRAM, PYTHON_PATHS.netrc, options.netrcFile ?? '',
        ...requirements.credentials.flatMap((c) => [c.host, c.usernameVariable, c.passwordVariable])],
    });
  }
  for (const group of requirements.groups) {
    steps.push({
      name: `download from ${group.label}`,
      argv: pip(python, 'download', ['--no-deps', ...(group.hashed ? ['--require-hashes'] : []), '--dest', PYTHON_PATHS.dist, ...download, '-r', group.file]),
      ...(group.usesIndex ? { env: { PIP_NO_INDEX: '0' } } : {}),
    });
  }
  steps.push(buildStep(python, requirements.localProjects, options.buildSources, compile), installStep(python, cross));
  return {
    python, steps,
    files: requirements.groups.map((g) => ({ path: g.file, content: g.content })),
    env: needsNetrc ? { NETRC: PYTHON_PATHS.netrc } : {},
    output: CONTAINER.out,
  };
}
