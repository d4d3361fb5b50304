// cargo: `cargo build --release` in the target-architecture container, or `--target <triple>`
// with a cross linker in a host one; the chosen binary becomes an executable `bootstrap` at the
// zip root (provided.* runtimes).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'smol-toml';
import { ConfigError, InternalError } from '../errors.js';
import { crossToolchainOf, describeImage, type CrossToolchain } from '../plan/recipes.js';
import type { Task } from '../plan/types.js';
import type { Architecture } from '../runtimes.js';
import { cargoCrossCommand, cargoCrossEnv, gnuTriple, rustTarget } from './cross.js';
import { CONTAINER, topLevelFiles, type Builder } from './types.js';
import { command, quote, requireOrExit } from './shell.js';

const TARGET_DIR = '/tmp/lambda-pack-target';

interface Manifest {
  package?: { name?: string; links?: string };
  bin?: { name?: string }[];
  dependencies?: Record<string, unknown>;
  'build-dependencies'?: Record<string, unknown>;
}

async function readManifest(source: string): Promise<{ file: string; manifest: Manifest }> {
  const file = path.join(source, 'Cargo.toml');
  try { return { file, manifest: parse(await readFile(file, 'utf8')) as Manifest }; } catch (error) {
    throw new ConfigError('CARGO_TOML_INVALID', `${file}: cannot read Cargo.toml: ${(error as Error).message.split('\n')[0]}. Fix the file.`, { file }, { cause: error });
  }
}

/**
 * Crates that link a library of the system they are built on (`*-sys` crates, a `links` key):
 * their build scripts probe the build machine, so only a build on the target architecture is
 * sure to give what an emulated build gives. Names from Cargo.lock (every crate) and Cargo.toml.
 */
export function systemLibraryCrates(manifest: Manifest, lockedNames: readonly string[]): string[] {
  const names = new Set<string>();
  if (manifest.package?.links && manifest.package.name) names.add(manifest.package.name);
  for (const section of [manifest.dependencies, manifest['build-dependencies']]) {
    for (const [name, spec] of Object.entries(section ?? {})) {
      const real = typeof spec === 'object' && spec !== null && typeof (spec as { package?: unknown }).package === 'string' ? (spec as { package: string }).package : name;
      if (real.endsWith('-sys')) names.add(real);
    }
  }
  for (const name of lockedNames) if (name.endsWith('-sys')) names.add(name);
  return [...names].sort();
}

/** The names of every crate Cargo.lock pins (none without a lockfile). */
async function lockedCrates(source: string): Promise<string[]> {
  const file = path.join(source, 'Cargo.lock');
  const text = await readFile(file, 'utf8').catch(() => undefined);
  if (text === undefined) return [];
  try {
    const lock = parse(text) as { package?: { name?: unknown }[] };
    return (lock.package ?? []).map((p) => p.name).filter((n): n is string => typeof n === 'string');
  } catch (error) {
    throw new ConfigError('CARGO_LOCK_INVALID', `${file}: cannot read Cargo.lock: ${(error as Error).message.split('\n')[0]}. Regenerate it with: cargo generate-lockfile`, { file }, { cause: error });
  }
}

/** Shell lines that stop a cross build, with a clear message, in an image that cannot do it. */
function requireCrossToolchain(target: Architecture, toolchain: CrossToolchain): string {
  const std = `[ -d "$(rustc --print sysroot)/lib/rustlib/${rustTarget(target)}/lib" ]`;
  const tool = toolchain === 'zig' ? 'cargo-zigbuild' : `${gnuTriple(target)}-gcc`;
  const message = `lambda-pack: this image cannot cross-compile Rust for ${target.name}: it needs ${tool} and Rust's ${rustTarget(target)} standard library. ` +
    'Rebuild the image from its recipe in images/, or build with --strategy emulated.';
  return requireOrExit(`{ command -v ${tool} >/dev/null && ${std}; }`, message);
}

/** The binary to ship: `binary:` from config, else the crate's only [[bin]] (or its package name). */
export function chooseBinary(manifest: Manifest, configured: string | undefined, where: string): string {
  const bins = (manifest.bin ?? []).map((b) => b.name).filter((n): n is string => !!n);
  const candidates = bins.length > 0 ? bins : manifest.package?.name ? [manifest.package.name] : [];
  if (configured) {
    if (!candidates.includes(configured)) {
      throw new ConfigError('CARGO_BINARY_UNKNOWN', `${where}: binary "${configured}" is not a binary of this crate (found: ${candidates.join(', ') || 'none'}). Set "binary" to one of them.`, { file: where, field: 'binary' });
    }
    return configured;
  }
  if (candidates.length !== 1) {
    throw new ConfigError('CARGO_BINARY_AMBIGUOUS', `${where}: ${candidates.length === 0 ? 'no binary target found' : `several binaries (${candidates.join(', ')})`}; lambda-pack ships one as bootstrap. Set "binary: <name>" on the function.`, { file: where, field: 'binary' });
  }
  return candidates[0]!;
}

export const cargoBuilder: Builder = {
  name: 'cargo',
  needsContainer: true,
  installOnly: [],
  version: 1,
  // The whole source is what gets compiled.
  async installInputs(_source, entries) { return entries; },

  async strategyFacts(task) {
    const toolchain = crossToolchainOf(task.hostImage);
    if (!toolchain) return { mustCompile: [], noCross: `its ${task.host.name} image, ${describeImage(task.hostImage)}, has no cross toolchain for ${task.arch.name}` };
    const { manifest } = await readManifest(task.artifact.source);
    return {
      mustCompile: systemLibraryCrates(manifest, await lockedCrates(task.artifact.source)),
      cross: `no crate links a system library: ${task.host.name} ${command(cargoCrossCommand(task.arch, toolchain, task.artifact.runtime))}` +
        (toolchain === 'gnu' ? ` linked by ${gnuTriple(task.arch)}-gcc` : ''),
    };
  },

  async prepare(task, entries, strategy) {
    const { artifact } = task;
    const { file, manifest } = await readManifest(artifact.source);
    const binary = chooseBinary(manifest, artifact.binary, file);
    const locked = topLevelFiles(entries).has('Cargo.lock') ? ['--locked'] : [];
    const cross = strategy.kind === 'cross' ? crossBuild(task) : undefined;
    return {
      commands: [
        requireOrExit('command -v cargo >/dev/null', 'lambda-pack: cargo is not in this image; use a Rust build image (images/ has recipes)'),
        ...(cross ? [cross.check] : []),
        // Registry sources live under CARGO_HOME (per user): keep that path out of the binary.
        'export RUSTFLAGS="$RUSTFLAGS --remap-path-prefix=$CARGO_HOME=cargo"',
        command([...(cross?.cargo ?? ['cargo', 'build']), '--release', ...locked, '--target-dir', TARGET_DIR, '--bin', binary]),
        `mkdir -p ${quote(CONTAINER.out)}`,
        command(['install', '-m', '0755', `${TARGET_DIR}/${cross ? `${rustTarget(task.arch)}/` : ''}release/${binary}`, `${CONTAINER.out}/bootstrap`]),
      ],
      containerPath: CONTAINER.out,
      packagePath: artifact.kind === 'layer' ? 'bin' : '',
      shipsSource: false,
      sourcePath: '',
      env: {
        // Paths of the build must not enter panic messages or debug info.
        RUSTFLAGS: `--remap-path-prefix=${CONTAINER.build}=.`,
        CARGO_INCREMENTAL: '0',
        ...cross?.env,
      },
    };
  },

  keepOutput() { return true; },
};

/** The cargo command, environment and toolchain check of a cross build for the task's architecture. */
function crossBuild(task: Task): { cargo: string[]; env: Record<string, string>; check: string } {
  const toolchain = crossToolchainOf(task.hostImage);
  // chooseStrategy picks cross only when strategyFacts offered it, which needs a known toolchain.
  if (!toolchain) throw new InternalError('CROSS_WITHOUT_TOOLCHAIN', `${task.id}: a cross build was chosen for an image without a cross toolchain.`);
  return {
    cargo: cargoCrossCommand(task.arch, toolchain, task.artifact.runtime),
    env: cargoCrossEnv(task.arch, toolchain),
    check: requireCrossToolchain(task.arch, toolchain),
  };
}
