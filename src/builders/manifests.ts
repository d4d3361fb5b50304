// Reads a builder's manifest or lockfile (JSON, TOML, YAML) once, turning a parse error into a
// ConfigError that names the file, the line and the fix. A missing file is `undefined`.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { parseDocument } from 'yaml';
import { ConfigError } from '../errors.js';

export type ManifestFormat = 'json' | 'toml' | 'yaml';

function lineAt(text: string, position: number): number {
  return text.slice(0, position).split('\n').length;
}

function invalid(file: string, line: number | undefined, reason: string, fix: string, cause: unknown): ConfigError {
  return new ConfigError('MANIFEST_INVALID',
    `${file}${line ? `:${line}` : ''}: cannot read ${path.basename(file)}: ${reason}. ${fix}`, { file, fix }, { cause });
}

/** Parses `text` of `file`; throws ConfigError with the line of the first error. */
export function parseManifest(file: string, text: string, format: ManifestFormat, fix: string): unknown {
  if (format === 'toml') {
    try { return parseToml(text); } catch (error) {
      const { line } = error as { line?: number };
      throw invalid(file, line, (error as Error).message.split('\n')[0]!.replace(/^Invalid TOML document: /, ''), fix, error);
    }
  }
  if (format === 'yaml') {
    const doc = parseDocument(text, { prettyErrors: false });
    const first = doc.errors[0];
    if (first) throw invalid(file, lineAt(text, first.pos[0]), first.message.split('\n')[0]!, fix, first);
    return doc.toJS();
  }
  try { return JSON.parse(text); } catch (error) {
    const message = (error as Error).message;
    const position = /position (\d+)/.exec(message)?.[1];
    const lineCol = /line (\d+) column (\d+)/.exec(message);
    throw invalid(file, lineCol ? Number(lineCol[1]) : position ? lineAt(text, Number(position)) : undefined, message, fix, error);
  }
}

/** Reads and parses a manifest; undefined when the file does not exist. */
export async function readManifest(file: string, format: ManifestFormat, fix: string): Promise<unknown> {
  let text: string;
  try { text = await readFile(file, 'utf8'); } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ConfigError('MANIFEST_UNREADABLE', `${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}). Fix its permissions (chmod a+r).`, { file }, { cause: error });
  }
  return parseManifest(file, text, format, fix);
}
