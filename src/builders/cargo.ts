// cargo: `cargo build --release` in the target-architecture container; the chosen binary becomes
// an executable `bootstrap` at the zip root (provided.* runtimes).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'smol-toml';
import { ConfigError } from '../errors.js';
import { CONTAINER, topLevelFiles, type Builder } from './types.js';
import { command, quote } from './shell.js';

const TARGET_DIR = '/tmp/lambda-pack-target';

interface Manifest { package?: { name?: string }; bin?: { name?: string }[] }

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

  async prepare(task, entries) {
    const { artifact } = task;
    const file = path.join(artifact.source, 'Cargo.toml');
    let manifest: Manifest;
    try { manifest = parse(await readFile(file, 'utf8')) as Manifest; } catch (error) {
      throw new ConfigError('CARGO_TOML_INVALID', `${file}: cannot read Cargo.toml: ${(error as Error).message.split('\n')[0]}. Fix the file.`, { file }, { cause: error });
    }
    const binary = chooseBinary(manifest, artifact.binary, file);
    const locked = topLevelFiles(entries).has('Cargo.lock') ? ['--locked'] : [];
    return {
      commands: [
        'command -v cargo >/dev/null || { echo "lambda-pack: cargo is not in this image; use a Rust build image (images/ has recipes)" >&2; exit 127; }',
        // Registry sources live under CARGO_HOME (per user): keep that path out of the binary.
        'export RUSTFLAGS="$RUSTFLAGS --remap-path-prefix=$CARGO_HOME=cargo"',
        command(['cargo', 'build', '--release', ...locked, '--target-dir', TARGET_DIR, '--bin', binary]),
        `mkdir -p ${quote(CONTAINER.out)}`,
        command(['install', '-m', '0755', `${TARGET_DIR}/release/${binary}`, `${CONTAINER.out}/bootstrap`]),
      ],
      containerPath: CONTAINER.out,
      packagePath: artifact.kind === 'layer' ? 'bin' : '',
      shipsSource: false,
      sourcePath: '',
      env: {
        // Paths of the build must not enter panic messages or debug info.
        RUSTFLAGS: `--remap-path-prefix=${CONTAINER.build}=.`,
        CARGO_INCREMENTAL: '0',
      },
    };
  },

  keepOutput() { return true; },
};
