// Finds the config file (cosmiconfig), parses it with line-accurate syntax errors, validates it
// against the schema and hands it to normalise(). Every failure is a ConfigError naming the file.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { cosmiconfig, type Loader } from 'cosmiconfig';
import { parseDocument, type Node } from 'yaml';
import { ConfigError } from '../errors.js';
import { rawConfigSchema } from './schema.js';
import { describeIssues } from './issues.js';
import { normalise } from './normalise.js';
import type { ProjectConfig } from './types.js';
import type { HostFacts } from '../host.js';

export const MODULE_NAME = 'lambda-pack';

export const SEARCH_PLACES = [
  'package.json',
  `${MODULE_NAME}.config.ts`, `${MODULE_NAME}.config.mjs`, `${MODULE_NAME}.config.js`, `${MODULE_NAME}.config.cjs`,
  `${MODULE_NAME}.config.json`, `${MODULE_NAME}.config.yaml`, `${MODULE_NAME}.config.yml`,
  `.${MODULE_NAME}rc`, `.${MODULE_NAME}rc.json`, `.${MODULE_NAME}rc.yaml`, `.${MODULE_NAME}rc.yml`,
  `.${MODULE_NAME}rc.js`, `.${MODULE_NAME}rc.mjs`, `.${MODULE_NAME}rc.cjs`, `.${MODULE_NAME}rc.ts`,
];

/** The key written at `pos` (a duplicate key's error points at it), without its quotes. */
function keyAt(text: string, pos: number): string | undefined {
  const found = /^\s*(?:"([^"]*)"|'([^']*)'|([^:\n]+?))\s*:/.exec(text.slice(pos));
  return found ? found[1] ?? found[2] ?? found[3] : undefined;
}

function lineAt(text: string, pos: number): number {
  return text.slice(0, pos).split('\n').length;
}

function duplicateKey(file: string, text: string, pos: number, language: 'YAML' | 'JSON'): ConfigError {
  const key = keyAt(text, pos);
  const what = key === undefined ? 'a key' : `the key "${key}"`;
  return new ConfigError('CONFIG_SYNTAX',
    `${file}:${lineAt(text, pos)}: the config is not valid ${language}: ${what} appears twice in the same section, and only one of them would count. ` +
    `Keep one: give each function and layer its own name, and each field one value.`,
    { file, field: key, fix: 'remove or rename the duplicate key' });
}

const parseYaml: Loader = (file, text) => {
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  const first = doc.errors[0];
  if (first?.code === 'DUPLICATE_KEY') throw duplicateKey(file, text, first.pos[0], 'YAML');
  if (first) {
    const line = lineAt(text, first.pos[0]);
    throw new ConfigError('CONFIG_SYNTAX',
      `${file}${line ? `:${line}` : ''}: the config is not valid YAML: ${first.message.split('\n')[0]}. ` +
      `Fix the syntax at that line (indentation, a missing ":" or an unclosed quote are the usual causes).`,
      { file, fix: 'fix the YAML syntax' });
  }
  return doc.toJS();
};

const parseJson: Loader = (file, text) => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    const position = /position (\d+)/.exec(message)?.[1];
    const lineCol = /line (\d+) column (\d+)/.exec(message);
    const line = lineCol ? Number(lineCol[1]) : position ? lineAt(text, Number(position)) : undefined;
    throw new ConfigError('CONFIG_SYNTAX',
      `${file}${line ? `:${line}` : ''}: the config is not valid JSON: ${message}. ` +
      `Fix the syntax at that line (a trailing comma or a missing quote are the usual causes).`,
      { file, fix: 'fix the JSON syntax' });
  }
  // JSON.parse keeps the last of two equal keys without a word: a second "api" would silently
  // replace the first function. JSON is YAML, whose parser reports them.
  // In package.json only the "lambda-pack" key is ours to judge.
  const doc = parseDocument(text, { uniqueKeys: true });
  const duplicate = doc.errors.find((e) => e.code === 'DUPLICATE_KEY');
  const ours = path.basename(file) === 'package.json' ? (doc.get(MODULE_NAME, true) as Node | undefined)?.range : undefined;
  if (duplicate && (path.basename(file) !== 'package.json' || (ours && duplicate.pos[0] >= ours[0] && duplicate.pos[0] < ours[1]))) {
    throw duplicateKey(file, text, duplicate.pos[0], 'JSON');
  }
  return parsed;
};

const explorer = () => cosmiconfig(MODULE_NAME, {
  searchPlaces: SEARCH_PLACES,
  searchStrategy: 'project',
  cache: false,
  ignoreEmptySearchPlaces: false,
  loaders: { '.yaml': parseYaml, '.yml': parseYaml, '.json': parseJson, noExt: parseYaml },
});

export interface LoadOptions {
  /** Where the search starts (the directory lambda-pack runs in). */
  readonly cwd: string;
  /** An explicit config file (`--config`); no search then. */
  readonly configFile?: string;
  /** The machine's facts ($SSL_CERT_FILE for `certificates: system`, the home for `~/` paths). */
  readonly host: HostFacts;
}

export async function loadConfig(options: LoadOptions): Promise<ProjectConfig> {
  const { file, raw } = await findAndParse(options);
  const text = await readFile(file, 'utf8').catch(() => '');
  const parsed = rawConfigSchema.safeParse(raw);
  if (!parsed.success) throw describeIssues(file, text, parsed.error.issues);
  return normalise(parsed.data, { file, text, host: options.host });
}

export async function findAndParse(options: LoadOptions): Promise<{ file: string; raw: unknown }> {
  try {
    if (options.configFile) {
      const file = path.resolve(options.cwd, options.configFile);
      const found = await explorer().load(file);
      if (!found || found.isEmpty) throw emptyConfig(file);
      return { file, raw: found.config };
    }
    const found = await explorer().search(options.cwd);
    if (!found) {
      throw new ConfigError('CONFIG_NOT_FOUND',
        `No lambda-pack config found in ${options.cwd} or its parents (up to the project's package.json). ` +
        `Create lambda-pack.config.yaml there with a "functions:" section, or pass --config <file>. ` +
        `Accepted names: ${SEARCH_PLACES.join(', ')} (a "lambda-pack" key in package.json).`,
        { file: options.cwd, fix: 'create lambda-pack.config.yaml' });
    }
    if (found.isEmpty) throw emptyConfig(found.filepath);
    return { file: found.filepath, raw: found.config };
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const file = options.configFile ? path.resolve(options.cwd, options.configFile) : options.cwd;
    if (code === 'ENOENT') {
      throw new ConfigError('CONFIG_NOT_FOUND', `The config file ${file} does not exist. Check the --config path.`, { file }, { cause: error });
    }
    throw new ConfigError('CONFIG_UNREADABLE',
      `Could not load the config ${file}: ${(error as Error).message}. Fix the file so it loads (for .ts configs, TypeScript must be installed in the project).`,
      { file }, { cause: error });
  }
}

function emptyConfig(file: string): ConfigError {
  return new ConfigError('CONFIG_EMPTY', `${file}: the config is empty. Add a "functions:" (or "layers:") section describing what to build.`, { file });
}
