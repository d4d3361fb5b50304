// Writes a copy of a template with some values replaced, by splicing the source text: everything
// not replaced (comments, order, quoting, unknown sections, tags) stays byte for byte. Used for the
// built template (code → zips) and the packaged template (code → S3 objects).
import path from 'node:path';
import { isMap, isScalar, visit, type Node, type Pair, type Scalar, type YAMLMap } from 'yaml';
import { InternalError } from '../errors.js';
import type { ParsedTemplate } from './parse.js';

/** A value to write: a plain string, or a mapping of strings ({S3Bucket, S3Key}). */
export type NewValue = string | Readonly<Record<string, string>>;

export interface Replacement {
  readonly logicalId: string;
  readonly property: string;
  readonly value: NewValue;
}

interface Edit { readonly start: number; readonly end: number; readonly text: string }

const PLAIN = /^[A-Za-z0-9_./@][A-Za-z0-9_./@:+-]*$/;

function scalarText(value: string, json: boolean): string {
  return !json && PLAIN.test(value) && !/^(true|false|null|yes|no|on|off|~|[-+]?[0-9.]+(e[-+]?[0-9]+)?)$/i.test(value) && !value.includes(': ') ? value : JSON.stringify(value);
}

function valueText(value: NewValue, json: boolean): string {
  if (typeof value === 'string') return scalarText(value, json);
  const pairs = Object.entries(value).map(([k, v]) => `${json ? JSON.stringify(k) : k}: ${scalarText(v, json)}`);
  return `{ ${pairs.join(', ')} }`;
}

function pairOf(map: YAMLMap, key: string): Pair<Node, Node> | undefined {
  return (map.items as Pair<Node, Node>[]).find((p) => isScalar(p.key) && p.key.value === key);
}

/** Replaces the value of an existing key: from just after its ":" to the end of the value. */
function replaceValue(text: string, pair: Pair<Node, Node>, value: NewValue, json: boolean): Edit {
  const keyEnd = pair.key.range![1];
  const colon = text.indexOf(':', keyEnd);
  let end = pair.value?.range?.[1] ?? colon + 1;
  while (end > colon + 1 && /\s/.test(text[end - 1]!)) end--;
  return { start: colon + 1, end, text: ` ${valueText(value, json)}` };
}

/** Adds a key to a mapping that lacks it (a CodeUri that came from Globals), in the mapping's own style. */
function addKey(text: string, map: YAMLMap, key: string, value: NewValue, json: boolean): Edit {
  if (map.flow) {
    const open = map.range![0] + 1;
    return { start: open, end: open, text: ` ${json ? JSON.stringify(key) : key}: ${valueText(value, json)}${map.items.length ? ',' : ' '}` };
  }
  const first = (map.items[0] as Pair<Node, Node> | undefined)?.key?.range?.[0];
  if (first === undefined) throw new InternalError('TEMPLATE_REWRITE', 'an empty block mapping cannot be extended in place');
  const lineStart = text.lastIndexOf('\n', first - 1) + 1;
  return { start: first, end: first, text: `${key}: ${valueText(value, json)}\n${' '.repeat(first - lineStart)}` };
}

export function applyEdits(text: string, edits: readonly Edit[]): string {
  let out = text;
  for (const edit of [...edits].sort((a, b) => b.start - a.start)) out = out.slice(0, edit.start) + edit.text + out.slice(edit.end);
  return out;
}

/** The edits that set `property` of each resource to its new value. */
export function replacementEdits(template: ParsedTemplate, replacements: readonly Replacement[]): Edit[] {
  const json = template.format === 'json';
  return replacements.map(({ logicalId, property, value }) => {
    const properties = template.doc.getIn(['Resources', logicalId, 'Properties'], true);
    if (!isMap(properties)) throw new InternalError('TEMPLATE_REWRITE', `resource ${logicalId} has no Properties mapping to write ${property} into`);
    const pair = pairOf(properties, property);
    return pair ? replaceValue(template.text, pair, value, json) : addKey(template.text, properties, property, value, json);
  });
}

/** Properties that name local files, by resource type (what `sam build` and `aws cloudformation package` rebase). */
const LOCAL_PATHS: Readonly<Record<string, readonly (readonly string[])[]>> = {
  'AWS::Serverless::Function': [['CodeUri']],
  'AWS::Serverless::LayerVersion': [['ContentUri']],
  'AWS::Lambda::Function': [['Code']],
  'AWS::Lambda::LayerVersion': [['Content']],
  'AWS::Serverless::Api': [['DefinitionUri']],
  'AWS::Serverless::HttpApi': [['DefinitionUri']],
  'AWS::Serverless::StateMachine': [['DefinitionUri']],
  'AWS::Serverless::Application': [['Location']],
  'AWS::Serverless::GraphQLApi': [['SchemaUri']],
  'AWS::ApiGateway::RestApi': [['BodyS3Location']],
  'AWS::ApiGatewayV2::Api': [['BodyS3Location']],
  'AWS::StepFunctions::StateMachine': [['DefinitionS3Location']],
  'AWS::AppSync::GraphQLSchema': [['DefinitionS3Location']],
  'AWS::AppSync::Resolver': [['RequestMappingTemplateS3Location'], ['ResponseMappingTemplateS3Location'], ['CodeS3Location']],
  'AWS::AppSync::FunctionConfiguration': [['RequestMappingTemplateS3Location'], ['ResponseMappingTemplateS3Location'], ['CodeS3Location']],
  'AWS::CloudFormation::Stack': [['TemplateURL']],
  'AWS::ElasticBeanstalk::ApplicationVersion': [['SourceBundle']],
  'AWS::Glue::Job': [['Command', 'ScriptLocation']],
};

const isLocal = (value: unknown): value is string => typeof value === 'string' && value !== '' && !/^[a-z][a-z0-9+.-]*:\/\//i.test(value) && !path.isAbsolute(value);

/** A relative local path in the template: its scalar node, for rebasing. */
export interface LocalPath { readonly node: Scalar; readonly value: string; readonly where: string }

/** The AWS::Include locations of a template (Fn::Transform, long or short form). */
function includeLocations(template: ParsedTemplate): LocalPath[] {
  const found: LocalPath[] = [];
  const check = (transform: unknown) => {
    if (!isMap(transform)) return;
    const name = transform.get('Name');
    const location = (transform.get('Parameters', true) as YAMLMap | undefined);
    const node = isMap(location) ? location.get('Location', true) : undefined;
    if (name === 'AWS::Include' && isScalar(node) && isLocal(node.value)) found.push({ node, value: node.value, where: 'AWS::Include Location' });
  };
  visit(template.doc, {
    Pair(_, pair) { if (isScalar(pair.key) && pair.key.value === 'Fn::Transform') check(pair.value); },
    Map(_, map) { if (map.tag === '!Transform') check(map); },
  });
  return found;
}

/** Every relative local path of the template, but those of `except` ("<logicalId>.<property>"). */
export function localPaths(template: ParsedTemplate, except: ReadonlySet<string>): LocalPath[] {
  const found: LocalPath[] = [];
  const add = (at: readonly (string | number)[], where: string) => {
    const node = template.doc.getIn(at, true);
    if (isScalar(node) && isLocal(node.value) && !node.tag) found.push({ node, value: node.value, where });
  };
  const resources = template.value.Resources as Record<string, { Type?: unknown } | null>;
  for (const [id, resource] of Object.entries(resources)) {
    for (const property of LOCAL_PATHS[String(resource?.Type)] ?? []) {
      if (!except.has(`${id}.${property.join('.')}`)) add(['Resources', id, 'Properties', ...property], `${id}.${property.join('.')}`);
    }
  }
  for (const [section, key] of [['Function', 'CodeUri'], ['Api', 'DefinitionUri'], ['HttpApi', 'DefinitionUri'], ['StateMachine', 'DefinitionUri']] as const) {
    add(['Globals', section, key], `Globals.${section}.${key}`);
  }
  return [...found, ...includeLocations(template)];
}

/** Edits that make relative local paths relative to `toDir`, where the new template is written. */
export function rebaseEdits(template: ParsedTemplate, paths: readonly LocalPath[], toDir: string): Edit[] {
  const fromDir = path.dirname(template.file);
  return paths.flatMap(({ node, value }) => {
    if (!node.range) return [];
    const rebased = path.relative(toDir, path.resolve(fromDir, value)).split(path.sep).join('/') || '.';
    return [{ start: node.range[0], end: node.range[1], text: scalarText(rebased, template.format === 'json') }];
  });
}
