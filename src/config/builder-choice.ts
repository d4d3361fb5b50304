// Which builder an artifact uses: inferred from its runtime and the files in its source, and
// checked to fit (a Cargo.toml cannot build a python function).
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Runtime } from '../runtimes.js';
import type { BuilderName } from './schema.js';

const MARKERS: Record<Exclude<BuilderName, 'copy'>, readonly string[]> = {
  npm: ['package.json'],
  pip: ['requirements.txt', 'pyproject.toml'],
  cargo: ['Cargo.toml'],
  make: ['Makefile', 'makefile', 'GNUmakefile'],
};

const FAMILY_BUILDERS: Record<Runtime['family'], readonly BuilderName[]> = {
  nodejs: ['npm', 'make', 'copy'],
  python: ['pip', 'make', 'copy'],
  provided: ['cargo', 'make', 'copy'],
};

const has = (dir: string, builder: Exclude<BuilderName, 'copy'>) => MARKERS[builder].some((f) => existsSync(path.join(dir, f)));

export function inferBuilder(runtime: Runtime, source: string): BuilderName {
  const own = FAMILY_BUILDERS[runtime.family].find((b): b is Exclude<BuilderName, 'copy'> => b !== 'copy' && b !== 'make' && has(source, b));
  if (own) return own;
  if (has(source, 'make')) return 'make';
  // A foreign marker (Cargo.toml in a python function) is a mistake, not "nothing to install".
  const foreign = (Object.keys(MARKERS) as Exclude<BuilderName, 'copy'>[]).find((b) => has(source, b));
  return foreign ?? 'copy';
}

/** The builder that installs from a manifest file, by its name (package.json → npm…). */
export function builderForManifest(file: string): Exclude<BuilderName, 'copy' | 'make'> | undefined {
  const name = path.basename(file);
  return (['npm', 'pip', 'cargo'] as const).find((b) => MARKERS[b].includes(name));
}

export function checkBuilderFits(builder: BuilderName, runtime: Runtime, source: string): { problem: string; fix: string } | undefined {
  if (!FAMILY_BUILDERS[runtime.family].includes(builder)) {
    const marker = builder === 'copy' ? '' : ` (found ${MARKERS[builder].find((f) => existsSync(path.join(source, f))) ?? MARKERS[builder][0]})`;
    return {
      problem: `the ${builder} builder${marker} cannot build a ${runtime.id} function.`,
      fix: `Use a runtime that fits (${builder === 'npm' ? 'nodejs*' : builder === 'pip' ? 'python3.*' : 'provided.al2023'}), or set "builder" to one of: ${FAMILY_BUILDERS[runtime.family].join(', ')}.`,
    };
  }
  return undefined;
}
