// Reads lockfile text (JSON, JSONC, YAML) into plain values; a file that does not parse is a
// ConfigError naming file:line and the command that regenerates it.
import { parseDocument } from 'yaml';
import { ConfigError } from '../../errors.js';
import type { LockfileKind } from './lockfile-model.js';

/** The command that writes a fresh lockfile, per kind: the fix of every malformed-lockfile error. */
export const REGENERATE: Readonly<Record<LockfileKind, string>> = {
  npm: 'npm install --package-lock-only',
  pnpm: 'pnpm install --lockfile-only',
  'yarn-classic': 'yarn install',
  'yarn-berry': 'yarn install --mode=update-lockfile',
  bun: 'bun install --lockfile-only',
};

/** 1-based line of a character offset. */
export function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

export function lockfileError(kind: LockfileKind, file: string, line: number | undefined, problem: string, cause?: unknown): ConfigError {
  const where = line ? `${file}:${line}` : file;
  return new ConfigError('LOCKFILE_INVALID',
    `${where}: cannot read ${file.split(/[\\/]/).pop()}: ${problem}. Regenerate it with: ${REGENERATE[kind]}`,
    { file, fix: REGENERATE[kind] }, cause === undefined ? undefined : { cause });
}

/** The line a JSON.parse error points at (its message gives a position or a line). */
export function jsonErrorLine(text: string, error: unknown): number | undefined {
  const message = (error as Error).message;
  const position = /position (\d+)/.exec(message)?.[1];
  const lineCol = /line (\d+) column/.exec(message)?.[1];
  return lineCol ? Number(lineCol) : position ? lineAt(text, Number(position)) : undefined;
}

export function parseJsonText(kind: LockfileKind, file: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw lockfileError(kind, file, jsonErrorLine(text, error), `not valid JSON (${(error as Error).message.split('\n')[0]})`, error);
  }
}

/**
 * JSON with trailing commas and comments, as bun writes bun.lock. Commas before `]`/`}` and
 * comments are blanked outside strings (same length, so offsets and lines stay true).
 */
export function parseJsoncText(kind: LockfileKind, file: string, text: string): unknown {
  const out = text.split('');
  let inString = false;
  let lastComma = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') { inString = true; lastComma = -1; continue; }
    if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') out[i++] = ' ';
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      while (i < text.length && !(text[i] === '*' && text[i + 1] === '/')) { if (text[i] !== '\n') out[i] = ' '; i++; }
      out[i] = ' '; out[i + 1] = ' '; i++;
      continue;
    }
    if (c === ',') { lastComma = i; continue; }
    if ((c === ']' || c === '}') && lastComma >= 0) out[lastComma] = ' ';
    if (!/\s/.test(c)) lastComma = -1;
  }
  return parseJsonText(kind, file, out.join(''));
}

export function parseYamlText(kind: LockfileKind, file: string, text: string): unknown {
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  const first = doc.errors[0];
  if (first) throw lockfileError(kind, file, lineAt(text, first.pos[0]), `not valid YAML (${first.message.split('\n')[0]})`);
  return doc.toJS({ maxAliasCount: -1 });
}

/**
 * Lines of keyed entries: the key at the start of each line (quoted or up to its ':'), first
 * occurrence wins. Used to point messages at a package's entry.
 */
export function lineIndex(text: string): (key: string) => number | undefined {
  const lines = new Map<string, number>();
  let line = 1;
  let start = 0;
  for (let i = 0; i <= text.length; i++) {
    if (i !== text.length && text.charCodeAt(i) !== 10) continue;
    const trimmed = text.slice(start, i).trimStart();
    const quote = trimmed[0] === '"' || trimmed[0] === "'" ? trimmed[0] : undefined;
    const key = quote ? trimmed.slice(1, trimmed.indexOf(quote, 1)) : trimmed.slice(0, trimmed.lastIndexOf(':'));
    if (key && !lines.has(key)) lines.set(key, line);
    line++;
    start = i + 1;
  }
  return (key) => lines.get(key);
}
