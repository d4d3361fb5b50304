// The lambda-pack config of a template project: the template's name, parameter values, and per
// resource (by logical id) what SAM has no words for. What the template says stays in the template.
import { z } from 'zod';
import { rawConfigSchema, rawFunctionSchema } from '../config/schema.js';

/** Fields a config may add to a template's function or layer. */
export const OVERRIDE_FIELDS = ['exclude', 'env', 'passEnv', 'image', 'allowSecrets', 'cross', 'strip', 'compilerCache', 'manifest', 'workingDirectory'] as const;

/** Fields the template decides, with the template property that does. */
export const TEMPLATE_FIELDS: Readonly<Record<string, string>> = {
  runtime: 'Runtime', runtimes: 'CompatibleRuntimes', source: 'CodeUri / ContentUri', handler: 'Handler', architectures: 'Architectures (layers: Metadata.BuildArchitecture)',
  layers: 'Layers', builder: 'Metadata.BuildMethod', binary: 'Metadata.BuildProperties.Binary', makeTarget: 'Metadata.BuildMethod (target build-<LogicalId>)',
};

const override = rawFunctionSchema.pick(Object.fromEntries(OVERRIDE_FIELDS.map((f) => [f, true])) as { [K in (typeof OVERRIDE_FIELDS)[number]]: true });

export const rawTemplateConfigSchema = rawConfigSchema.omit({ functions: true, layers: true, architectures: true }).extend({
  /** The SAM/CloudFormation template, relative to the config file. */
  template: z.string().min(1),
  /** Parameter values for building, replacing the template's Defaults (sam build --parameter-overrides). */
  parameters: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String)).optional(),
  functions: z.record(z.string(), override).optional(),
  layers: z.record(z.string(), override).optional(),
});

export type RawTemplateConfig = z.infer<typeof rawTemplateConfigSchema>;
export type RawOverride = z.infer<typeof override>;
