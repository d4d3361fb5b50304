// A parsed template → the functions and layers of lambda-pack's raw config (keyed by logical id),
// what the template holds that is not built (warnings), and where each field came from.
import path from 'node:path';
import type { RawFunction, RawLayer } from '../config/schema.js';
import { findRuntime } from '../runtimes.js';
import type { FieldPath } from '../config/location.js';
import { describePlace, templateError, type TemplatePlace, type TemplateWarning } from './errors.js';
import { mergeGlobals } from './globals.js';
import { parameterValues, type ResolveContext } from './intrinsics.js';
import { FUNCTION_TYPES, LAYER_TYPES, mapFunction, type TemplateArtifact } from './functions.js';
import { mapLayer } from './layers.js';
import { ResourceReader } from './resource.js';
import type { ParsedTemplate, TemplateMap } from './parse.js';

export interface MappedTemplate {
  readonly functions: Record<string, RawFunction>;
  readonly layers: Record<string, RawLayer>;
  readonly artifacts: readonly TemplateArtifact[];
  readonly warnings: readonly TemplateWarning[];
  /** For normalise(): the template place of a field that came from the template. */
  describeField(field: FieldPath): string | undefined;
}

export interface MapOptions {
  /** Directory every source must stay inside; default the template's directory. */
  readonly root?: string;
  /** Parameter values that replace Defaults (SAM's --parameter-overrides). */
  readonly parameters?: Readonly<Record<string, string>>;
}

const asMap = (value: unknown): TemplateMap => value !== null && typeof value === 'object' && !Array.isArray(value) ? value as TemplateMap : {};

function checkLinks(functions: Record<string, RawFunction>, layers: Record<string, RawLayer>, artifacts: Map<string, TemplateArtifact>): void {
  for (const [id, fn] of Object.entries(functions)) {
    (fn.layers ?? []).forEach((layerId, i) => {
      const place = artifacts.get(id)!.places[`layers[${i}]`]!;
      const layer = layers[layerId];
      if (!layer) {
        throw templateError('LAYER_NOT_BUILT', place, `layer ${layerId} is not built by lambda-pack (see the warning about it), so the function cannot be verified with it.`,
          `Give ${layerId} a local ContentUri, or list its ARN instead of !Ref.`);
      }
      const layerArch = layer.architectures![0]!;
      if (fn.architectures![0] !== layerArch) {
        throw templateError('LAYER_ARCH_MISMATCH', place, `layer ${layerId} is built for ${layerArch} (its Metadata.BuildArchitecture, default x86_64), but this function runs on ${fn.architectures![0]}.`,
          `Set Metadata.BuildArchitecture: ${fn.architectures![0]} on ${layerId}, or use one layer per architecture.`);
      }
      const runtime = findRuntime(fn.runtime)!;
      const layerRuntimes = layer.runtimes.map((r) => findRuntime(r)!);
      if (!layer.runtimes.includes(fn.runtime) && runtime.family !== 'provided' && layerRuntimes[0]!.family !== 'provided') {
        throw templateError('LAYER_RUNTIME_MISMATCH', place, `layer ${layerId} is for ${layer.runtimes.join(', ')}, not ${fn.runtime}.`, `Add ${fn.runtime} to the CompatibleRuntimes of ${layerId}.`);
      }
    });
  }
}

export function mapTemplate(template: ParsedTemplate, options: MapOptions = {}): MappedTemplate {
  const dir = path.dirname(template.file);
  const bounds = { root: options.root ?? dir, dir };
  const resources = asMap(template.value.Resources);
  const globals = asMap(template.value.Globals);
  const resolution: ResolveContext = {
    parameters: parameterValues(asMap(template.value.Parameters), options.parameters),
    mappings: asMap(template.value.Mappings),
    conditions: asMap(template.value.Conditions),
  };
  for (const name of Object.keys(options.parameters ?? {})) {
    if (!Object.hasOwn(asMap(template.value.Parameters), name)) {
      throw templateError('UNKNOWN_PARAMETER', { file: template.file, line: template.line(['Parameters']) }, `the lambda-pack config sets parameter "${name}", which the template does not declare.`,
        'Remove it from "parameters:" or declare it under Parameters in the template.');
    }
  }
  const warnings: TemplateWarning[] = [];
  const reader = (id: string, type: string, globalSection: string | undefined) => {
    const resource = asMap(resources[id]);
    const local = asMap(resource.Properties);
    const merged = mergeGlobals(globalSection ? asMap(globals[globalSection]) : undefined, local, ['Globals', globalSection ?? ''], ['Resources', id, 'Properties']);
    return new ResourceReader(template, id, type, merged, asMap(resource.Metadata), resolution, bounds);
  };
  const functions: Record<string, RawFunction> = {};
  const layers: Record<string, RawLayer> = {};
  const artifacts = new Map<string, TemplateArtifact>();
  const typeOf = (id: string) => String(asMap(resources[id]).Type ?? '');
  for (const id of Object.keys(resources)) {
    const type = typeOf(id);
    if (!(FUNCTION_TYPES as readonly string[]).includes(type)) continue;
    const mapped = mapFunction(reader(id, type, type === 'AWS::Serverless::Function' ? 'Function' : undefined), resources, warnings);
    if (mapped) { functions[id] = mapped.raw; artifacts.set(id, mapped.artifact); }
  }
  for (const id of Object.keys(resources)) {
    const type = typeOf(id);
    if (!(LAYER_TYPES as readonly string[]).includes(type)) continue;
    const usedBy = Object.values(functions).filter((f) => f.layers?.includes(id)).map((f) => f.runtime);
    const mapped = mapLayer(reader(id, type, undefined), usedBy, warnings);
    if (mapped) { layers[id] = mapped.raw; artifacts.set(id, mapped.artifact); }
  }
  for (const id of Object.keys(resources)) {
    if (typeOf(id) === 'AWS::Serverless::Application' && typeof asMap(asMap(resources[id]).Properties).Location === 'string') {
      warnings.push({ code: 'NOT_BUILT', logicalId: id, message: `${describePlace({ file: template.file, line: template.line(['Resources', id]), logicalId: id, property: 'Location' })}: not built: lambda-pack does not build nested applications; build that template on its own.` });
    }
  }
  checkLinks(functions, layers, artifacts);
  return {
    functions, layers, artifacts: [...artifacts.values()], warnings,
    describeField(field) {
      const [section, id, ...rest] = field;
      if ((section !== 'functions' && section !== 'layers') || typeof id !== 'string') return undefined;
      const key = rest.reduce<string>((out, part) => typeof part === 'number' ? `${out}[${part}]` : out ? `${out}.${part}` : part, '');
      const place: TemplatePlace | undefined = artifacts.get(id)?.places[key] ?? artifacts.get(id)?.places[String(rest[0] ?? '')];
      return place ? describePlace(place) : undefined;
    },
  };
}
