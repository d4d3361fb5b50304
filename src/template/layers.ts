// AWS::Serverless::LayerVersion and AWS::Lambda::LayerVersion → lambda-pack's raw layer config.
// A layer without BuildMethod is zipped as it is (SAM does not build it either); it builds for
// Metadata.BuildArchitecture (SAM's default x86_64), the one zip the template can point at.
import { ARCH_NAMES, isArchName, type ArchName } from '../runtimes.js';
import { didYouMean } from '../config/suggest.js';
import type { RawLayer } from '../config/schema.js';
import { templateWarning, type TemplatePlace, type TemplateWarning } from './errors.js';
import { buildChoice, checkMakeTarget } from './build-method.js';
import { templateRuntime, type Mapped } from './functions.js';
import type { ResourceReader } from './resource.js';

function buildArch(reader: ResourceReader): ArchName {
  const compatible = reader.list('CompatibleArchitectures');
  const declared = reader.metadataText('BuildArchitecture');
  const name = declared ?? 'x86_64';
  if (!isArchName(name)) reader.fail('UNKNOWN_ARCHITECTURE', 'Metadata.BuildArchitecture', `unknown architecture "${name}".${didYouMean(name, ARCH_NAMES)}`, `Use ${ARCH_NAMES.join(' or ')}.`);
  if (compatible && !compatible.includes(name)) {
    reader.fail('LAYER_BUILD_ARCHITECTURE', declared ? 'Metadata.BuildArchitecture' : 'CompatibleArchitectures',
      `the layer is built for ${name}${declared ? '' : ' (SAM\'s default BuildArchitecture)'}, which is not in CompatibleArchitectures (${compatible.join(', ')}).`,
      `Set Metadata.BuildArchitecture to one of ${compatible.join(', ')}.`);
  }
  return name;
}

/** `usedBy`: the runtimes of the template's functions that use this layer, when it declares none. */
export function mapLayer(reader: ResourceReader, usedBy: readonly string[], warnings: TemplateWarning[]): Mapped<RawLayer> {
  const serverless = reader.type === 'AWS::Serverless::LayerVersion';
  const codeProperty = serverless ? 'ContentUri' : 'Content';
  const skip = (why: string) => { warnings.push(templateWarning('NOT_BUILT', reader.place(codeProperty), `not built: ${why}.`)); return undefined; };
  if (reader.metadata.SkipBuild === true) return skip('Metadata.SkipBuild is set');
  const content = reader.resolved(codeProperty);
  if (content === undefined || content === null) {
    return reader.fail('TEMPLATE_NO_CODE', codeProperty, 'the layer names no content to build.', `Set ${codeProperty} to the layer's directory (relative to the template).`);
  }
  if (typeof content === 'object') return skip('its content is already in S3');
  if (typeof content !== 'string' || content === '') return reader.fail('TEMPLATE_TYPE', codeProperty, `expected a directory, found ${JSON.stringify(content)}.`, `Set ${codeProperty} to the layer's directory.`);
  if (/^(s3|https?):\/\//.test(content)) return skip(`its content is already uploaded (${content})`);
  if (/\.zip$/i.test(content)) return skip(`its content is a prebuilt zip (${content}), shipped as it is`);
  const source = reader.directory(codeProperty, content);
  const choice = buildChoice(reader, 'layer', warnings);
  const declared = reader.list('CompatibleRuntimes') ?? [];
  const known = declared.flatMap((id, i) => {
    try { return [templateRuntime(reader, 'CompatibleRuntimes', id, i).id]; } catch (error) {
      if ((error as { code?: string }).code !== 'UNSUPPORTED_RUNTIME') throw error;
      warnings.push(templateWarning('LAYER_RUNTIME_UNCHECKED', reader.place('CompatibleRuntimes', i), `lambda-pack does not build or check ${id}; the layer is verified for ${declared.filter((d) => d !== id).join(', ') || 'its other runtimes'} only.`));
      return [];
    }
  });
  const buildRuntime = choice.runtime?.id;
  const runtimes = buildRuntime ? [buildRuntime, ...known.filter((id) => id !== buildRuntime)] : known.length ? known : [...new Set(usedBy)];
  if (runtimes.length === 0) {
    reader.fail('TEMPLATE_LAYER_RUNTIMES', 'CompatibleRuntimes', 'lambda-pack needs to know which runtime the layer is for (its build image and checks depend on it), and no CompatibleRuntimes are listed and no function of the template uses it.',
      'Add CompatibleRuntimes: [python3.12] (or the runtimes that use it).');
  }
  if (choice.makeTarget) checkMakeTarget(reader, codeProperty, source, choice.makeTarget);
  const arch = buildArch(reader);
  const places: Record<string, TemplatePlace> = {
    source: reader.place(codeProperty), runtimes: reader.place(buildRuntime ? 'Metadata.BuildMethod' : 'CompatibleRuntimes'),
    ...Object.fromEntries(runtimes.map((id, i) => [`runtimes[${i}]`, id === buildRuntime ? reader.place('Metadata.BuildMethod') : reader.place('CompatibleRuntimes', Math.max(0, declared.indexOf(id)))])),
    architectures: reader.place(reader.metadata.BuildArchitecture !== undefined ? 'Metadata.BuildArchitecture' : 'CompatibleArchitectures'),
    builder: reader.place('Metadata.BuildMethod'), makeTarget: reader.place('Metadata.BuildMethod'),
    workingDirectory: reader.place('Metadata.BuildProperties.WorkingDirectory'),
  };
  const raw: RawLayer = {
    runtimes, source, architectures: [arch],
    ...(choice.builder ? { builder: choice.builder } : {}),
    ...(choice.makeTarget ? { makeTarget: choice.makeTarget } : {}),
    ...(choice.workingDirectory ? { workingDirectory: choice.workingDirectory } : {}),
  };
  return { raw, artifact: { logicalId: reader.logicalId, type: reader.type, kind: 'layer', codeProperty, arch, places } };
}
