// Which builder an artifact uses: inferred from its runtime and the files in its source, and
// checked to fit (a Cargo.toml cannot build a python function). Each builder names its own
// marker files and runtime families.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { BUILDER_NAMES, builderFor, type BuilderName } from '../builders/index.js';
import type { Runtime } from '../runtimes.js';

const has = (dir: string, builder: BuilderName) => builderFor(builder).markers.some((f) => existsSync(path.join(dir, f)));

const familyBuilders = (family: Runtime['family']) => BUILDER_NAMES.filter((b) => builderFor(b).families.includes(family));

export function inferBuilder(runtime: Runtime, source: string): BuilderName {
  const candidates = familyBuilders(runtime.family).filter((b) => builderFor(b).markers.length > 0);
  // A builder of the runtime's own language comes first; make serves every family.
  const own = candidates.find((b) => builderFor(b).families.length === 1 && has(source, b));
  if (own) return own;
  const general = candidates.find((b) => has(source, b));
  if (general) return general;
  // A foreign marker (Cargo.toml in a python function) is a mistake, not "nothing to install".
  const foreign = BUILDER_NAMES.find((b) => has(source, b));
  return foreign ?? 'copy';
}

/** The builder that installs from a manifest file, by its name (package.json → npm…). */
export function builderForManifest(file: string): Exclude<BuilderName, 'copy' | 'make'> | undefined {
  const name = path.basename(file);
  return (['npm', 'pip', 'cargo'] as const).find((b) => builderFor(b).markers.includes(name));
}

export function checkBuilderFits(builder: BuilderName, runtime: Runtime, source: string): { problem: string; fix: string } | undefined {
  const fitting = familyBuilders(runtime.family);
  if (fitting.includes(builder)) return undefined;
  const markers = builderFor(builder).markers;
  const marker = markers.length === 0 ? '' : ` (found ${markers.find((f) => existsSync(path.join(source, f))) ?? markers[0]})`;
  const families = builderFor(builder).families.map((f) => ({ nodejs: 'nodejs*', python: 'python3.*', provided: 'provided.al2023' })[f]).join(' or ');
  return {
    problem: `the ${builder} builder${marker} cannot build a ${runtime.id} function.`,
    fix: `Use a runtime that fits (${families}), or set "builder" to one of: ${fitting.join(', ')}.`,
  };
}
