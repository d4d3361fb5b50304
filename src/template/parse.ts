// Reads a SAM/CloudFormation template (YAML or JSON) into its long form (plain JSON values, short
// tags written out as {"Ref": …} / {"Fn::Sub": …}) and remembers the line of every key, so each
// error can name file and line. The parsed Document is kept for writing the template back.
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { didYouMean } from '../config/suggest.js';
import { cloudFormationTags, longName, SHORT_FORMS, SHORT_FORM_TAGS } from './tags.js';
import { templateError } from './errors.js';

export type TemplatePath = readonly (string | number)[];
export type TemplateValue = string | number | boolean | null | TemplateValue[] | { [key: string]: TemplateValue };
export type TemplateMap = { [key: string]: TemplateValue };

export interface ParsedTemplate {
  /** Absolute path. */
  readonly file: string;
  readonly text: string;
  readonly format: 'yaml' | 'json';
  readonly doc: Document.Parsed;
  /** The template in long form: what CloudFormation sees. */
  readonly value: TemplateMap;
  /** 1-based line of the key (or list item) at `path` of `value`, when it was written in the file. */
  line(path: TemplatePath): number | undefined;
}

const key = (path: TemplatePath) => JSON.stringify(path);

function lineOfOffset(counter: LineCounter, offset: number): number {
  return counter.linePos(offset).line;
}

/** The resource whose definition holds `offset`, for errors found by the parser. */
function resourceAt(doc: Document.Parsed, offset: number): string | undefined {
  const resources = isMap(doc.contents) ? doc.contents.get('Resources', true) : undefined;
  if (!isMap(resources)) return undefined;
  for (const pair of resources.items) {
    const start = (pair.key as Node | null)?.range?.[0];
    const end = (pair.value as Node | null)?.range?.[2];
    if (start !== undefined && end !== undefined && offset >= start && offset <= end) return String((pair.key as { value?: unknown }).value);
  }
  return undefined;
}

function syntaxErrors(file: string, doc: Document.Parsed, counter: LineCounter, format: 'yaml' | 'json'): void {
  const first = doc.errors[0];
  if (first) {
    const line = lineOfOffset(counter, first.pos[0]);
    const logicalId = resourceAt(doc, first.pos[0]);
    if (first.code === 'DUPLICATE_KEY') {
      throw templateError('TEMPLATE_DUPLICATE_KEY', { file, line, logicalId }, 'a key appears twice in the same section, and CloudFormation refuses the template.',
        'Keep one of them: every resource needs its own logical id, and each property one value.');
    }
    throw templateError('TEMPLATE_SYNTAX', { file, line, logicalId }, `the template is not valid ${format === 'json' ? 'JSON' : 'YAML'}: ${first.message.split('\n')[0]}.`,
      'Fix the syntax at that line (indentation, a missing ":" or an unclosed quote are the usual causes).');
  }
  const tag = doc.warnings.find((w) => w.code === 'TAG_RESOLVE_FAILED');
  if (tag) {
    const written = /Unresolved tag: (\S+)/.exec(tag.message)?.[1] ?? '';
    const line = lineOfOffset(counter, tag.pos[0]);
    const logicalId = resourceAt(doc, tag.pos[0]);
    const forms = SHORT_FORMS[written.slice(1)];
    if (forms) {
      throw templateError('TEMPLATE_TAG', { file, line, logicalId }, `${written} is followed by the wrong kind of value.`,
        `CloudFormation takes ${written} with ${forms.map((f) => f === 'scalar' ? 'a single value' : f === 'seq' ? 'a list' : 'a mapping').join(' or ')}, for example ${example(written)}.`);
    }
    throw templateError('TEMPLATE_TAG', { file, line, logicalId }, `${written || 'a tag'} is not a CloudFormation tag.${didYouMean(written, SHORT_FORM_TAGS)}`,
      `Use one of CloudFormation's short forms (${SHORT_FORM_TAGS.join(', ')}), or the long form ({"Fn::…": …}).`);
  }
}

function example(tag: string): string {
  const examples: Record<string, string> = { '!Ref': '!Ref MyParameter', '!Condition': '!Condition IsProd', '!GetAtt': '!GetAtt MyFunction.Arn', '!Sub': '!Sub "${AWS::StackName}-fn"' };
  return examples[tag] ?? `${tag} [ … ]`;
}

/** Converts the Document into long form, recording the line of every key and item. */
function toLongForm(doc: Document.Parsed, counter: LineCounter): { value: TemplateValue; lines: Map<string, number> } {
  const lines = new Map<string, number>();
  const record = (path: TemplatePath, node: Node | null | undefined) => {
    const offset = node?.range?.[0];
    if (offset !== undefined) lines.set(key(path), lineOfOffset(counter, offset));
  };
  const convert = (node: unknown, path: TemplatePath): TemplateValue => {
    if (isAlias(node)) return convert(node.resolve(doc), path);
    const tag = (node as { tag?: string } | null)?.tag;
    if (tag && SHORT_FORMS[tag.slice(1)] && tag.startsWith('!')) {
      const name = longName(tag);
      const inner = [...path, name];
      lines.set(key(inner), lines.get(key(path)) ?? 0);
      if (tag === '!GetAtt' && isScalar(node)) {
        const text = String(node.value);
        const dot = text.indexOf('.');
        return { [name]: dot < 0 ? [text] : [text.slice(0, dot), text.slice(dot + 1)] };
      }
      return { [name]: convertPlain(node, inner) };
    }
    return convertPlain(node, path);
  };
  const convertPlain = (node: unknown, path: TemplatePath): TemplateValue => {
    if (isMap(node)) {
      const out: TemplateMap = {};
      for (const pair of node.items) {
        const name = String(isScalar(pair.key) ? pair.key.value : pair.key);
        record([...path, name], pair.key as Node);
        out[name] = convert(pair.value, [...path, name]);
      }
      return out;
    }
    if (isSeq(node)) {
      return node.items.map((item, i) => {
        record([...path, i], item as Node);
        return convert(item, [...path, i]);
      });
    }
    if (isScalar(node)) {
      const v = node.value;
      return v === undefined ? null : typeof v === 'bigint' ? Number(v) : v as TemplateValue;
    }
    return null;
  };
  return { value: convert(doc.contents, []), lines };
}

export function parseTemplate(file: string, text: string): ParsedTemplate {
  const format = /^\s*\{/.test(text) ? 'json' : 'yaml';
  const counter = new LineCounter();
  const doc = parseDocument(text, { customTags: cloudFormationTags(), uniqueKeys: true, lineCounter: counter, prettyErrors: false });
  syntaxErrors(file, doc, counter, format);
  const { value, lines } = toLongForm(doc, counter);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw templateError('TEMPLATE_NOT_A_MAP', { file, line: 1 }, 'the template is not a mapping of sections (Resources, Parameters, …).',
      'A template is a mapping with at least a "Resources:" section.');
  }
  if (value.Resources === undefined || value.Resources === null || typeof value.Resources !== 'object' || Array.isArray(value.Resources)) {
    throw templateError('TEMPLATE_NO_RESOURCES', { file, line: lines.get(key(['Resources'])) ?? 1 }, 'the template has no "Resources" mapping.',
      'Add a "Resources:" section with the functions and layers to build.');
  }
  return { file, text, format, doc, value, line: (path) => lines.get(key(path)) };
}
