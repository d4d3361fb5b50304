// Cross toolchains: the compiler names, cargo target and environment a host-architecture
// container uses to build for the other architecture, per kind of toolchain an image carries.
import type { Architecture, Runtime } from '../runtimes.js';
import type { PlacedTask } from '../plan/types.js';
import { crossToolchainOf, type CrossToolchain } from '../recipes.js';

/**
 * Whether the task's engine-architecture image has Debian's cross gcc/g++ for the target. Only
 * lambda-pack's own recipes are known to (the local nodejs, python and provided images); an
 * official SAM build image or one from the config is assumed to have none.
 */
export function gnuCrossIn(task: PlacedTask): boolean {
  return crossToolchainOf(task.engineImage) === 'gnu';
}

/**
 * Whether the task's engine-architecture image has C and C++ compilers for the target under
 * Debian's cross tool names (`aarch64-linux-gnu-gcc`, `-g++`, `-ar`, `-strip`…): Debian's cross
 * gcc in the local images, zig behind those names in images/official-cross. Enough for node-gyp
 * and make; a setuptools build needs gnuCrossIn (the target's Python data too).
 */
export function crossCompilersIn(task: PlacedTask): boolean {
  const toolchain = crossToolchainOf(task.engineImage);
  return toolchain === 'gnu' || toolchain === 'zig-cc';
}

/** GNU triple of the target, as Debian names its cross tools: `aarch64-linux-gnu`. */
export function gnuTriple(target: Architecture): string {
  return `${target.gnuArch}-linux-gnu`;
}

/** Rust's target triple: `aarch64-unknown-linux-gnu`. */
export function rustTarget(target: Architecture): string {
  return `${target.gnuArch}-unknown-linux-gnu`;
}

/** Cargo's environment-variable spelling of a target (`CARGO_TARGET_<THIS>_LINKER`). */
function cargoEnvTarget(target: Architecture): string {
  return rustTarget(target).toUpperCase().replace(/-/g, '_');
}

/**
 * What a Makefile gets to cross-compile: the usual make variables (from the environment, so a
 * Makefile's own `CC ?= cc` yields to them) and the Linux-style CROSS_COMPILE prefix.
 */
export function makeCrossEnv(target: Architecture): Record<string, string> {
  const prefix = `${gnuTriple(target)}-`;
  return {
    CC: `${prefix}gcc`, CXX: `${prefix}g++`, AR: `${prefix}ar`, LD: `${prefix}ld`,
    RANLIB: `${prefix}ranlib`, STRIP: `${prefix}strip`, CROSS_COMPILE: prefix,
  };
}

/**
 * node-gyp compiles an addon's sources in parallel on every core the container has (`make -j`):
 * each object and the link order are fixed by the gyp files, so the bytes do not change.
 */
export const NODE_GYP_PARALLEL: Readonly<Record<string, string>> = { JOBS: 'max' };

/**
 * What node-gyp needs to build an addon for the target in a container of the engine's
 * architecture. npm_config_arch / npm_config_target_arch: node-gyp's target_arch, and the
 * architecture node-pre-gyp and prebuild-install download prebuilt binaries for (or compile, when
 * the download fails). CC, CXX, AR, LINK: gyp's target toolset; gyp falls back to them for its
 * host toolset too, so the *_host names keep helpers gyp builds and runs during the build on the
 * engine's own gcc.
 */
export function nodeGypCrossEnv(target: Architecture): Record<string, string> {
  const prefix = `${gnuTriple(target)}-`;
  return {
    npm_config_arch: target.nodeArch, npm_config_target_arch: target.nodeArch,
    CC: `${prefix}gcc`, CXX: `${prefix}g++`, AR: `${prefix}ar`, LINK: `${prefix}g++`,
    CC_host: 'gcc', CXX_host: 'g++', AR_host: 'ar', LINK_host: 'g++',
    ...NODE_GYP_PARALLEL,
  };
}

/**
 * What cargo needs beyond `--target`: the linker for the target, and the compilers the `cc`
 * crate picks for build scripts that compile C for the target (build scripts themselves and
 * proc-macros are built for, and run on, the host).
 */
export function cargoCrossEnv(target: Architecture, toolchain: CrossToolchain): Record<string, string> {
  if (toolchain === 'zig') return {}; // cargo-zigbuild sets the linker and CC_<target> itself.
  const prefix = `${gnuTriple(target)}-`;
  const cTarget = rustTarget(target).replace(/-/g, '_');
  return {
    [`CARGO_TARGET_${cargoEnvTarget(target)}_LINKER`]: `${prefix}gcc`,
    [`CC_${cTarget}`]: `${prefix}gcc`,
    [`CXX_${cTarget}`]: `${prefix}g++`,
    [`AR_${cTarget}`]: `${prefix}ar`,
  };
}

/** cargo's argv for a cross build (`cargo zigbuild` pins glibc with a `.2.34` target suffix). */
export function cargoCrossCommand(target: Architecture, toolchain: CrossToolchain, runtime: Runtime): string[] {
  return toolchain === 'zig'
    ? ['cargo', 'zigbuild', '--target', `${rustTarget(target)}.${runtime.glibc.join('.')}`]
    : ['cargo', 'build', '--target', rustTarget(target)];
}

/**
 * What setuptools needs to build a wheel for the target with the engine's interpreter: the
 * target's sysconfig data (EXT_SUFFIX `.cpython-311-aarch64-linux-gnu.so`, SOABI, its compiler
 * commands) in place of the running interpreter's, the target platform for the wheel's tag
 * (`linux_aarch64`) and the build directories, and the compilers and linker commands as the
 * target's sysconfig data names them, for build steps that read the environment rather than
 * sysconfig. The headers follow from the compiler: Debian's pyconfig.h includes the one of the
 * architecture being compiled for. Only the PEP 517 build hooks get this environment: pip, which
 * installs the build requirements, must keep choosing wheels for the machine it runs on.
 */
export function pythonCrossEnv(target: Architecture): Record<string, string> {
  const triple = gnuTriple(target);
  const link = '-shared -Wl,-O1 -Wl,-Bsymbolic-functions';
  return {
    CC: `${triple}-gcc`, CXX: `${triple}-g++`,
    LDSHARED: `${triple}-gcc ${link}`, LDCXXSHARED: `${triple}-g++ ${link}`,
    AR: `${triple}-gcc-ar`,
    _PYTHON_HOST_PLATFORM: `linux-${target.gnuArch}`,
    _PYTHON_SYSCONFIGDATA_NAME: `_sysconfigdata__${triple}`,
  };
}
