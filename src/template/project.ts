// The one entry point that loads a project: a lambda-pack config, a SAM/CloudFormation template
// (--template, a config's `template:`, or template.yaml/.yml/.json in the current directory as
// `sam build` finds it), or both. Either way the result is the same normalised ProjectConfig.
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../errors.js';
import { findAndParse, SEARCH_PLACES, type LoadOptions } from '../config/load.js';
import { rawConfigSchema, type RawConfig } from '../config/schema.js';
import { describeIssues, where } from '../config/issues.js';
import { normalise } from '../config/normalise.js';
import { didYouMean } from '../config/suggest.js';
import type { ProjectConfig } from '../config/types.js';
import { parseTemplate, type ParsedTemplate } from './parse.js';
import { mapTemplate } from './map.js';
import { OVERRIDE_FIELDS, rawTemplateConfigSchema, TEMPLATE_FIELDS } from './config-schema.js';
import type { TemplateWarning } from './errors.js';
import type { TemplateArtifact } from './functions.js';
import type { HostFacts } from '../host.js';

export const TEMPLATE_NAMES = ['template.yaml', 'template.yml', 'template.json'];

export interface LoadProjectOptions extends LoadOptions {
  /** `--template`: the template to build (then a config, if any, only adds to it). */
  readonly templateFile?: string;
}

export interface LoadedTemplate {
  readonly parsed: ParsedTemplate;
  /** The functions and layers built from it, by logical id (the artifacts' names). */
  readonly artifacts: readonly TemplateArtifact[];
}

export interface Project {
  readonly config: ProjectConfig;
  /** Set when the project comes from a template: what writeBuiltTemplate and package need. */
  readonly template?: LoadedTemplate;
  /** What the template holds that lambda-pack does not build or cannot check; for the plan and build output. */
  readonly warnings: readonly TemplateWarning[];
}

interface FoundConfig { readonly file: string; readonly text: string; readonly raw: Record<string, unknown> }

async function findConfig(options: LoadOptions): Promise<FoundConfig | undefined> {
  try {
    const { file, raw } = await findAndParse(options);
    const text = await readFile(file, 'utf8').catch(() => '');
    return { file, text, raw: (raw ?? {}) as Record<string, unknown> };
  } catch (error) {
    if (!options.configFile && error instanceof ConfigError && error.code === 'CONFIG_NOT_FOUND') return undefined;
    throw error;
  }
}

async function readTemplate(file: string, named: string): Promise<ParsedTemplate> {
  let text: string;
  try { text = await readFile(file, 'utf8'); } catch (error) {
    throw new ConfigError('TEMPLATE_NOT_FOUND', `The template ${file} does not exist or cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}). Check ${named}.`, { file }, { cause: error });
  }
  return parseTemplate(file, text);
}

/** A config's entries for template resources may add what SAM has no words for, nothing else. */
function checkOverrides(config: FoundConfig): void {
  for (const section of ['functions', 'layers'] as const) {
    const entries = config.raw[section];
    if (entries === null || typeof entries !== 'object') continue;
    for (const [id, entry] of Object.entries(entries as Record<string, unknown>)) {
      for (const key of Object.keys((entry ?? {}) as object)) {
        if (TEMPLATE_FIELDS[key]) {
          const field = [section, id, key];
          throw new ConfigError('TEMPLATE_DECIDES', `${where(config.file, config.text, field)}: field "${field.join('.')}": this project builds from a template, and the template decides ${key} (${TEMPLATE_FIELDS[key]}). ` +
            `Remove it here and change it in the template; a config entry may only add ${OVERRIDE_FIELDS.join(', ')}.`, { file: config.file, field: field.join('.') });
        }
      }
    }
  }
  if (config.raw.architectures !== undefined) {
    throw new ConfigError('TEMPLATE_DECIDES', `${where(config.file, config.text, ['architectures'])}: field "architectures": this project builds from a template, where each function declares its architecture. Remove it here and set Architectures in the template.`, { file: config.file, field: 'architectures' });
  }
}

async function fromTemplate(templateFile: string, named: string, config: FoundConfig | undefined, host: HostFacts): Promise<Project> {
  if (config) checkOverrides(config);
  const parsedConfig = rawTemplateConfigSchema.safeParse({ ...(config?.raw ?? {}), template: config?.raw.template ?? templateFile });
  if (!parsedConfig.success) throw describeIssues(config!.file, config!.text, parsedConfig.error.issues);
  const { template: _named, parameters, functions: overrides = {}, layers: layerOverrides = {}, ...rest } = parsedConfig.data;
  const parsed = await readTemplate(templateFile, named);
  const source = config ?? { file: parsed.file, text: parsed.text };
  const root = rest.root ? path.resolve(path.dirname(source.file), rest.root) : path.dirname(source.file);
  const mapped = mapTemplate(parsed, { root, parameters });
  const known = { functions: Object.keys(mapped.functions), layers: Object.keys(mapped.layers) };
  for (const [section, entries] of [['functions', overrides], ['layers', layerOverrides]] as const) {
    for (const id of Object.keys(entries)) {
      if (!known[section].includes(id)) {
        throw new ConfigError('UNKNOWN_FUNCTION', `${where(config!.file, config!.text, [section, id])}: field "${section}.${id}": the template ${parsed.file} builds no ${section === 'functions' ? 'function' : 'layer'} with logical id "${id}".${didYouMean(id, known[section])} ` +
          `Use a logical id of the template (${known[section].join(', ') || 'none'}).`, { file: config!.file, field: `${section}.${id}` });
      }
    }
  }
  const raw: RawConfig = {
    ...rest,
    functions: Object.fromEntries(Object.entries(mapped.functions).map(([id, fn]) => [id, { ...fn, ...overrides[id] }])),
    layers: Object.fromEntries(Object.entries(mapped.layers).map(([id, layer]) => [id, { ...layer, ...layerOverrides[id] }])),
  };
  if (Object.keys(raw.functions!).length + Object.keys(raw.layers!).length === 0) {
    throw new ConfigError('NOTHING_TO_BUILD', `${parsed.file}: the template has no function or layer lambda-pack can build (${mapped.warnings.map((w) => w.message).join(' ') || 'no AWS::Serverless::Function, AWS::Lambda::Function or layer resources'}). Add a function whose CodeUri is a local directory.`, { file: parsed.file });
  }
  return { config: normalise(raw, { ...source, host }, { describeField: mapped.describeField }), template: { parsed, artifacts: mapped.artifacts }, warnings: mapped.warnings };
}

/**
 * Until the pip builder consumes `manifest` (issue 14; npm does), a build ignores it: said as a
 * warning, never silently.
 */
function notYetUsed(project: Project): Project {
  const pending = project.config.artifacts.filter((a) => a.manifest !== undefined && a.builder !== 'npm')
    .map((a) => ({ code: 'SETTING_NOT_YET_USED', logicalId: a.name, message: `${a.name}: "manifest" (${a.manifest}) is read, but the ${a.builder} builder does not use it yet; the build runs as if it were not set.` }));
  return pending.length ? { ...project, warnings: [...project.warnings, ...pending] } : project;
}

export async function loadProject(options: LoadProjectOptions): Promise<Project> {
  return notYetUsed(await findProject(options));
}

async function findProject(options: LoadProjectOptions): Promise<Project> {
  if (options.templateFile) {
    const config = await findConfig(options);
    return fromTemplate(path.resolve(options.cwd, options.templateFile), 'the --template path', config, options.host);
  }
  const config = await findConfig(options);
  if (config && typeof config.raw.template === 'string') {
    return fromTemplate(path.resolve(path.dirname(config.file), config.raw.template), `"template" in ${config.file}`, config, options.host);
  }
  if (config) {
    const parsed = rawConfigSchema.safeParse(config.raw);
    if (!parsed.success) throw describeIssues(config.file, config.text, parsed.error.issues);
    return { config: normalise(parsed.data, { ...config, host: options.host }), warnings: [] };
  }
  const found = TEMPLATE_NAMES.map((name) => path.join(options.cwd, name)).find((file) => existsSync(file));
  if (found) return fromTemplate(found, 'the template', undefined, options.host);
  throw new ConfigError('CONFIG_NOT_FOUND',
    `No lambda-pack config found in ${options.cwd} or its parents (up to the project's package.json), and no SAM template (${TEMPLATE_NAMES.join(', ')}) in ${options.cwd}. ` +
    `Create lambda-pack.config.yaml there with a "functions:" section, or pass --config <file> or --template <file>. ` +
    `Accepted config names: ${SEARCH_PLACES.join(', ')} (a "lambda-pack" key in package.json).`, { file: options.cwd, fix: 'create lambda-pack.config.yaml' });
}
