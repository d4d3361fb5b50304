// SAM's Metadata.BuildMethod (and BuildProperties) → lambda-pack's builder: the runtime's own
// (npm, pip), makefile → make with target build-<LogicalId>, rust-cargolambda → cargo. Anything
// else is an error that says what lambda-pack builds.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { hasTarget } from '../builders/make.js';
import type { BuilderName } from '../config/schema.js';
import { findRuntime, type Runtime } from '../runtimes.js';
import { templateWarning, type TemplateWarning } from './errors.js';
import type { ResourceReader } from './resource.js';
import type { TemplateMap } from './parse.js';

export interface BuildChoice {
  /** undefined: inferred from the runtime and the files in the code directory, as in a config. */
  readonly builder?: BuilderName;
  /** A layer's BuildMethod naming a runtime: the runtime whose image builds it. */
  readonly runtime?: Runtime;
  readonly makeTarget?: string;
  /** BuildProperties.WorkingDirectory (absolute). */
  readonly workingDirectory?: string;
  /** BuildProperties.Binary (cargo). */
  readonly binary?: string;
}

const SUPPORTED = 'lambda-pack builds with: the runtime\'s own builder (leave BuildMethod out, or name a nodejs*/python3.* runtime), makefile, and rust-cargolambda';
const PROPERTIES: Record<string, readonly string[]> = { makefile: ['WorkingDirectory'], 'rust-cargolambda': ['Binary'] };
const MAKEFILES = ['GNUmakefile', 'makefile', 'Makefile'];

export function buildChoice(reader: ResourceReader, kind: 'function' | 'layer', warnings: TemplateWarning[]): BuildChoice {
  const method = reader.metadataText('BuildMethod');
  const rawProperties = reader.metadata.BuildProperties;
  const properties = rawProperties !== null && typeof rawProperties === 'object' && !Array.isArray(rawProperties) ? rawProperties as TemplateMap : {};
  for (const key of Object.keys(properties)) {
    if (!(PROPERTIES[method ?? ''] ?? []).includes(key)) {
      warnings.push(templateWarning('TEMPLATE_BUILD_PROPERTY_IGNORED', reader.place(`Metadata.BuildProperties.${key}`),
        `lambda-pack does not use BuildProperties.${key}${method ? ` with BuildMethod ${method}` : ''}; it is ignored.`));
    }
  }
  if (method === undefined) return kind === 'layer' ? { builder: 'copy' } : {};
  if (method === 'makefile') {
    const dir = properties.WorkingDirectory;
    return {
      builder: 'make',
      makeTarget: `build-${reader.logicalId}`,
      workingDirectory: dir === undefined ? undefined : reader.directory('Metadata.BuildProperties.WorkingDirectory', reader.text('Metadata.BuildProperties.WorkingDirectory', dir)!),
    };
  }
  if (method === 'rust-cargolambda') {
    if (kind === 'layer') reader.fail('TEMPLATE_BUILD_METHOD_UNSUPPORTED', 'Metadata.BuildMethod', 'rust-cargolambda builds functions, not layers.', `${SUPPORTED}.`);
    const binary = properties.Binary === undefined ? undefined : reader.text('Metadata.BuildProperties.Binary', properties.Binary);
    return { builder: 'cargo', binary };
  }
  if (method === 'esbuild') {
    reader.fail('TEMPLATE_ESBUILD_NOT_YET', 'Metadata.BuildMethod', 'BuildMethod esbuild (bundling) is not supported by lambda-pack yet.',
      'Remove BuildMethod to install the function\'s package.json dependencies with npm, or keep building this function with sam build until bundling lands.');
  }
  const runtime = findRuntime(method);
  if (runtime && runtime.family !== 'provided') return { builder: runtime.family === 'nodejs' ? 'npm' : 'pip', runtime };
  return reader.fail('TEMPLATE_BUILD_METHOD_UNSUPPORTED', 'Metadata.BuildMethod', `lambda-pack cannot build BuildMethod "${method}".`, `${SUPPORTED}; dotnet, java, go and ruby builds are not supported.`);
}

/** SAM fails when the Makefile lacks the resource's target; so does lambda-pack, before any container. */
export function checkMakeTarget(reader: ResourceReader, property: string, source: string, target: string): void {
  const makefile = MAKEFILES.map((name) => path.join(source, name)).find((file) => {
    try { readFileSync(file); return true; } catch { return false; }
  });
  if (!makefile) {
    reader.fail('MAKEFILE_MISSING', property, `BuildMethod makefile needs a Makefile in ${source}, and there is none.`,
      `Add ${path.join(source, 'Makefile')} with a ${target}: target that puts the files to ship into $(ARTIFACTS_DIR).`);
  }
  if (!hasTarget(readFileSync(makefile, 'utf8'), target)) {
    reader.fail('MAKE_TARGET_MISSING', 'Metadata.BuildMethod', `${makefile} has no target "${target}", which BuildMethod makefile runs for this resource (as sam build does).`,
      `Add a "${target}:" rule to ${makefile} that puts the files to ship into $(ARTIFACTS_DIR), or rename the resource to match an existing build-<LogicalId> target.`);
  }
}
