// AWS::Serverless::Function and AWS::Lambda::Function → lambda-pack's raw function config, with
// the template place of every field. Code that needs no build (S3, inline, a prebuilt zip) is
// left as it is and said so; what lambda-pack cannot build yet is an error.
import { ARCH_NAMES, findRuntime, isArchName, RUNTIME_IDS, type ArchName, type Runtime } from '../runtimes.js';
import { didYouMean } from '../config/suggest.js';
import type { RawFunction } from '../config/schema.js';
import { templateWarning, type TemplatePlace, type TemplateWarning } from './errors.js';
import { buildChoice, checkMakeTarget } from './build-method.js';
import type { ResourceReader } from './resource.js';
import type { TemplateMap, TemplateValue } from './parse.js';

export const FUNCTION_TYPES = ['AWS::Serverless::Function', 'AWS::Lambda::Function'] as const;
export const LAYER_TYPES = ['AWS::Serverless::LayerVersion', 'AWS::Lambda::LayerVersion'] as const;

/** A function or layer lambda-pack builds from the template. */
export interface TemplateArtifact {
  readonly logicalId: string;
  readonly type: string;
  readonly kind: 'function' | 'layer';
  /** The property that names the code, pointed at the zip in the built and packaged templates. */
  readonly codeProperty: 'CodeUri' | 'Code' | 'ContentUri' | 'Content';
  /** The one architecture the template builds it for. */
  readonly arch: ArchName;
  /** Where each lambda-pack field came from ("source" → CodeUri's line…), for errors found later. */
  readonly places: Readonly<Record<string, TemplatePlace>>;
}

export type Mapped<Raw> = { readonly raw: Raw; readonly artifact: TemplateArtifact } | undefined;

const UNSUPPORTED_FAMILIES = /^(java|dotnet|ruby|go)/;

/** A runtime lambda-pack knows, or an error that tells a typo from a language it does not build. */
export function templateRuntime(reader: ResourceReader, property: string, id: string, index?: number): Runtime {
  const found = findRuntime(id);
  if (found) return found;
  if (UNSUPPORTED_FAMILIES.test(id)) {
    reader.fail('UNSUPPORTED_RUNTIME', property, `lambda-pack does not build ${id} functions or layers.`, `It builds ${RUNTIME_IDS.join(', ')}; keep building this resource with sam build.`, index);
  }
  return reader.fail('UNKNOWN_RUNTIME', property, `unknown runtime "${id}".${didYouMean(id, RUNTIME_IDS)}`, `Use one of: ${RUNTIME_IDS.join(', ')}.`, index);
}

/** The one architecture of a function (SAM's default x86_64). */
function functionArch(reader: ResourceReader): ArchName {
  const list = reader.list('Architectures') ?? ['x86_64'];
  if (list.length !== 1) {
    reader.fail('TEMPLATE_ARCHITECTURES', 'Architectures', `a function has exactly one architecture, and this one has ${list.length} (${list.join(', ') || 'none'}).`,
      'List one: Architectures: [x86_64] or [arm64] (Globals and the resource\'s own lists are concatenated, as SAM does: set it in one place).');
  }
  const [name] = list as [string];
  if (!isArchName(name)) reader.fail('UNKNOWN_ARCHITECTURE', 'Architectures', `unknown architecture "${name}".${didYouMean(name, ARCH_NAMES)}`, `Use ${ARCH_NAMES.join(' or ')}.`, 0);
  return name;
}

/** Where the code is: a local directory to build, or nothing to build (with the reason). */
function codeLocation(reader: ResourceReader, property: string, value: TemplateValue | undefined): { dir: string } | { skip: string } {
  if (value === undefined || value === null) {
    return reader.fail('TEMPLATE_NO_CODE', property, `the resource names no code to build.`, `Set ${property} to the directory holding its code (relative to the template), e.g. ${property}: src/.`);
  }
  const resolved = reader.resolved(property, value);
  if (resolved !== null && typeof resolved === 'object') {
    const keys = Array.isArray(resolved) ? [] : Object.keys(resolved);
    if (keys.includes('ZipFile')) return { skip: 'its code is inline (ZipFile)' };
    if (keys.includes('ImageUri')) reader.fail('TEMPLATE_IMAGE_NOT_YET', property, 'container image functions are not built by lambda-pack yet.', 'Keep building image functions with sam build (lambda-pack\'s container image support is a separate, open issue).');
    return { skip: 'its code is already in S3' };
  }
  if (typeof resolved !== 'string' || resolved === '') return reader.fail('TEMPLATE_TYPE', property, `expected a directory, found ${JSON.stringify(resolved)}.`, `Set ${property} to the code's directory.`);
  if (/^s3:\/\//.test(resolved) || /^https?:\/\//.test(resolved)) return { skip: `its code is already uploaded (${resolved})` };
  if (/\.(zip|jar)$/i.test(resolved)) return { skip: `its code is a prebuilt archive (${resolved}), shipped as it is` };
  return { dir: reader.directory(property, resolved) };
}

/** Layers: template layers by !Ref; anything else (an ARN, a parameter) cannot be verified. */
function functionLayers(reader: ResourceReader, resources: TemplateMap, warnings: TemplateWarning[]): { names: string[]; indexes: number[] } {
  const raw = reader.properties.Layers;
  if (raw === undefined || raw === null) return { names: [], indexes: [] };
  if (!Array.isArray(raw)) return reader.fail('TEMPLATE_TYPE', 'Layers', 'expected a list of layers.', 'Write Layers as a list: Layers: [!Ref MyLayer].');
  if (raw.length > 5) reader.fail('TOO_MANY_LAYERS', 'Layers', `${raw.length} layers listed; Lambda allows at most 5.`, 'Merge layers or move code into the function.');
  const names: string[] = [];
  const indexes: number[] = [];
  raw.forEach((item, i) => {
    const name = reader.refName(item);
    const resource = name !== undefined ? resources[name] as TemplateMap | undefined : undefined;
    if (name !== undefined && resource === undefined && !(reader.template.value.Parameters as TemplateMap | undefined)?.[name]) {
      const layers = Object.entries(resources).filter(([, r]) => (LAYER_TYPES as readonly string[]).includes(String((r as TemplateMap)?.Type))).map(([id]) => id);
      reader.fail('UNKNOWN_LAYER', 'Layers', `!Ref ${name} names no resource or parameter of this template.${didYouMean(name, layers)}`,
        `Define a layer resource "${name}" (AWS::Serverless::LayerVersion) or correct the name${layers.length ? `; the template's layers are ${layers.join(', ')}` : ''}.`, i);
    }
    if (name !== undefined && resource !== undefined) {
      if (!(LAYER_TYPES as readonly string[]).includes(String(resource.Type))) {
        reader.fail('NOT_A_LAYER', 'Layers', `!Ref ${name} names a ${String(resource.Type)}, not a layer.`, 'List layer resources (AWS::Serverless::LayerVersion, AWS::Lambda::LayerVersion) or layer ARNs.', i);
      }
      names.push(name);
      indexes.push(i);
      return;
    }
    const shown = typeof item === 'string' ? item : JSON.stringify(item);
    warnings.push(templateWarning('LAYER_UNVERIFIABLE', reader.place('Layers', i),
      `layer ${shown} is not built from this template, so lambda-pack cannot check it with the function (architecture, runtime, size, native libraries).`));
  });
  return { names, indexes };
}

export function mapFunction(reader: ResourceReader, resources: TemplateMap, warnings: TemplateWarning[]): Mapped<RawFunction> {
  const serverless = reader.type === 'AWS::Serverless::Function';
  const codeProperty = serverless ? 'CodeUri' : 'Code';
  const packageType = reader.text('PackageType');
  if (packageType === 'Image') {
    reader.fail('TEMPLATE_IMAGE_NOT_YET', 'PackageType', 'container image functions (PackageType: Image) are not built by lambda-pack yet.',
      'Keep building image functions with sam build (lambda-pack\'s container image support is a separate, open issue), or switch this function to PackageType: Zip.');
  }
  if (serverless && reader.properties.InlineCode !== undefined) {
    reader.fail('TEMPLATE_INLINE_CODE', 'InlineCode', 'the function\'s code is written inline, so there is nothing for lambda-pack to build or verify.',
      'Move the code into a directory and point CodeUri at it (then it is built and verified), or build this template without lambda-pack.');
  }
  for (const key of ['Dockerfile', 'DockerContext', 'DockerTag']) {
    if (reader.metadata[key] !== undefined) warnings.push(templateWarning('TEMPLATE_IMAGE_METADATA_IGNORED', reader.place(`Metadata.${key}`), `${key} applies to PackageType: Image only; it is ignored for this zip function.`));
  }
  const skip = (why: string) => { warnings.push(templateWarning('NOT_BUILT', reader.place(codeProperty), `not built: ${why}.`)); return undefined; };
  if (reader.metadata.SkipBuild === true) return skip('Metadata.SkipBuild is set');
  const location = codeLocation(reader, codeProperty, reader.properties[codeProperty]);
  if ('skip' in location) return skip(location.skip);
  const runtimeId = reader.text('Runtime');
  if (!runtimeId) reader.fail('TEMPLATE_NO_RUNTIME', 'Runtime', 'a zip function needs a Runtime.', `Add Runtime (one of ${RUNTIME_IDS.join(', ')}) to the function or to Globals.Function.`);
  const runtime = templateRuntime(reader, 'Runtime', runtimeId);
  const handler = reader.text('Handler');
  if (!handler) {
    reader.fail('TEMPLATE_NO_HANDLER', 'Handler', 'a zip function needs a Handler, and Lambda refuses to create it without one.',
      `Add Handler to the function or to Globals.Function: ${runtime.family === 'nodejs' ? 'index.handler (file index.js, exported function handler)' : runtime.family === 'python' ? 'app.lambda_handler (file app.py, function lambda_handler)' : 'bootstrap'}.`);
  }
  const arch = functionArch(reader);
  const choice = buildChoice(reader, 'function', warnings);
  if (choice.makeTarget) checkMakeTarget(reader, codeProperty, location.dir, choice.makeTarget);
  const layers = functionLayers(reader, resources, warnings);
  const places: Record<string, TemplatePlace> = {
    source: reader.place(codeProperty), runtime: reader.place('Runtime'), handler: reader.place('Handler'),
    architectures: reader.place('Architectures'), builder: reader.place('Metadata.BuildMethod'), binary: reader.place('Metadata.BuildProperties.Binary'),
    makeTarget: reader.place('Metadata.BuildMethod'), workingDirectory: reader.place('Metadata.BuildProperties.WorkingDirectory'),
    ...Object.fromEntries(layers.indexes.map((templateIndex, i) => [`layers[${i}]`, reader.place('Layers', templateIndex)])),
    layers: reader.place('Layers'),
  };
  const raw: RawFunction = {
    runtime: runtime.id, source: location.dir, handler, architectures: [arch],
    ...(choice.builder ? { builder: choice.builder } : {}),
    ...(layers.names.length ? { layers: layers.names } : {}),
    ...(choice.binary ? { binary: choice.binary } : {}),
    ...(choice.makeTarget ? { makeTarget: choice.makeTarget } : {}),
    ...(choice.workingDirectory ? { workingDirectory: choice.workingDirectory } : {}),
  };
  return { raw, artifact: { logicalId: reader.logicalId, type: reader.type, kind: 'function', codeProperty, arch, places } };
}
