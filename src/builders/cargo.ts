// cargo: `cargo build --release` in the target-architecture container, or `--target <triple>`
// with a cross linker in one of the engine's architecture; the chosen binary becomes an
// executable `bootstrap` at the zip root (provided.* runtimes).
import path from 'node:path';
import { ConfigError, InternalError } from '../errors.js';
import { crossToolchainOf, describeImage, type CrossToolchain } from '../recipes.js';
import type { InstallStep, PlacedTask } from '../plan/types.js';
import type { Architecture } from '../runtimes.js';
import { cargoCrossCommand, cargoCrossEnv, gnuTriple, rustTarget } from './cross.js';
import { readManifest } from './manifests.js';
import { CONTAINER, cacheHome, topLevelFiles, type Analysis, type Builder } from './types.js';

const TARGET_DIR = '/tmp/lambda-pack-target';

interface Manifest {
  package?: { name?: string; links?: string };
  bin?: { name?: string }[];
  dependencies?: Record<string, unknown>;
  'build-dependencies'?: Record<string, unknown>;
}

export interface CargoAnalysis extends Analysis {
  readonly binary: string;
  readonly locked: boolean;
  /** Crates that link a system library (their build scripts probe the build machine). */
  readonly systemCrates: readonly string[];
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

/** The step that stops a cross build, with a clear message, in an image that cannot do it. */
function requireCrossToolchain(target: Architecture, toolchain: CrossToolchain): InstallStep {
  const std = `[ -d "$(rustc --print sysroot)/lib/rustlib/${rustTarget(target)}/lib" ]`;
  const tool = toolchain === 'zig' ? 'cargo-zigbuild' : `${gnuTriple(target)}-gcc`;
  return {
    require: `{ command -v ${tool} >/dev/null && ${std}; }`,
    message: `lambda-pack: this image cannot cross-compile Rust for ${target.name}: it needs ${tool} and Rust's ${rustTarget(target)} standard library. ` +
      'Rebuild the image from its recipe in images/, or build with --strategy emulated.',
  };
}

function toolchainOf(task: PlacedTask): CrossToolchain {
  const toolchain = crossToolchainOf(task.engineImage);
  // chooseStrategy picks cross only when strategyFacts offered it, which needs a known toolchain.
  if (!toolchain) throw new InternalError('CROSS_WITHOUT_TOOLCHAIN', `${task.id}: a cross build was chosen for an image without a cross toolchain.`);
  return toolchain;
}

export const cargoBuilder: Builder<CargoAnalysis> = {
  name: 'cargo',
  version: 3,
  needsContainer: true,
  markers: ['Cargo.toml'],
  families: ['provided'],

  async analyze(artifact, entries) {
    const file = path.join(artifact.source, 'Cargo.toml');
    const manifest = await readManifest(file, 'toml', 'Fix the file.') as Manifest | undefined;
    if (!manifest) throw new ConfigError('CARGO_TOML_MISSING', `${file} does not exist. Add the crate's Cargo.toml, or choose another builder.`, { file });
    const lock = await readManifest(path.join(artifact.source, 'Cargo.lock'), 'toml', 'Regenerate it with: cargo generate-lockfile') as { package?: { name?: unknown }[] } | undefined;
    const lockedNames = (lock?.package ?? []).map((p) => p.name).filter((n): n is string => typeof n === 'string');
    return {
      // The whole source is what gets compiled.
      installInputs: entries,
      installOnly: [],
      shipsSource: false,
      sourcePath: '',
      binary: chooseBinary(manifest, artifact.binary, file),
      locked: topLevelFiles(entries).has('Cargo.lock'),
      systemCrates: systemLibraryCrates(manifest, lockedNames),
    };
  },

  strategyFacts(analysis, task) {
    const toolchain = crossToolchainOf(task.engineImage);
    // zig-cc images have C compilers for the target, but no Rust.
    if (!toolchain || toolchain === 'zig-cc') return { mustCompile: [], noCross: `its ${task.engine.arch.name} image, ${describeImage(task.engineImage)}, has no cross toolchain for ${task.arch.name}` };
    const command = cargoCrossCommand(task.arch, toolchain, task.artifact.runtime).join(' ');
    return {
      mustCompile: analysis.systemCrates,
      cross: `no crate links a system library: ${task.engine.arch.name} ${command}${toolchain === 'gnu' ? ` linked by ${gnuTriple(task.arch)}-gcc` : ''}`,
    };
  },

  install(analysis, task, strategy, host) {
    const cross = strategy.kind === 'cross' ? toolchainOf(task) : undefined;
    const cargoHome = `${cacheHome(host.owner.uid)}/cargo`;
    // Paths of the build and of registry sources (under CARGO_HOME) must not enter panic
    // messages or debug info; the config's own RUSTFLAGS come first.
    const rustflags = `${task.artifact.env.RUSTFLAGS ?? `--remap-path-prefix=${CONTAINER.build}=.`} --remap-path-prefix=${cargoHome}=cargo`;
    return {
      steps: [
        { require: 'command -v cargo >/dev/null', message: 'lambda-pack: cargo is not in this image; use a Rust build image (images/ has recipes)' },
        ...(cross ? [requireCrossToolchain(task.arch, cross)] : []),
        { run: [...(cross ? cargoCrossCommand(task.arch, cross, task.artifact.runtime) : ['cargo', 'build']), '--release', ...(analysis.locked ? ['--locked'] : []), '--target-dir', TARGET_DIR, '--bin', analysis.binary] },
        { run: ['mkdir', '-p', CONTAINER.out] },
        { run: ['install', '-m', '0755', `${TARGET_DIR}/${cross ? `${rustTarget(task.arch)}/` : ''}release/${analysis.binary}`, `${CONTAINER.out}/bootstrap`] },
      ],
      output: CONTAINER.out,
      packagePath: task.artifact.kind === 'layer' ? 'bin' : '',
      env: { RUSTFLAGS: rustflags, CARGO_INCREMENTAL: '0', ...(cross ? cargoCrossEnv(task.arch, cross) : {}) },
      compilerFlags: true,
      drop: [],
    };
  },
};
