// What a requirements.txt asks pip for, read on the host: named requirements, local paths, URLs,
// the files it includes and the options that decide where packages come from.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { normaliseProject } from './pip-tags.js';

export interface NamedRequirement {
  /** PEP 503 normalised. */
  readonly project: string;
  readonly extras: readonly string[];
  /** The version of an exact `==` pin (no wildcard), when it has one. */
  readonly pin?: string;
  readonly marker?: string;
  /** The line as written, for messages. */
  readonly text: string;
}

export interface PipRequirements {
  /** Requirement and constraint files read, relative to the source. */
  readonly files: readonly string[];
  readonly named: readonly NamedRequirement[];
  /** Local directories and archives (`./pkg`, `file:…`, `wheels/x.whl`), relative to the source. */
  readonly local: readonly string[];
  /** `name @ url`, VCS and http requirements. */
  readonly urls: readonly string[];
  /** `--find-links` values: local ones relative to the source, others as written. */
  readonly findLinks: readonly string[];
  readonly indexes: readonly string[];
  readonly noIndex: boolean;
  /** `--no-binary` projects (normalised), or `:all:`. */
  readonly noBinary: readonly string[];
}

interface Collected {
  files: string[]; named: NamedRequirement[]; local: string[]; urls: string[];
  findLinks: string[]; indexes: string[]; noIndex: boolean; noBinary: string[];
}

const OPTION = /^(-[rcfi]|--requirement|--constraint|--find-links|--index-url|--extra-index-url|--no-binary|--only-binary|--no-index|--prefer-binary|--pre|--trusted-host|--use-feature)(?:\s*=\s*|\s+|(?=\S))?(\S*)/;
const NAMED = /^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[([^\]]*)\])?\s*([^;@]*?)\s*(?:@\s*(\S+))?\s*(?:;\s*(.*))?$/;

export function isUrl(value: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(value) && !value.startsWith('file:');
}

function localPath(value: string): string {
  return path.posix.normalize(value.replace(/^file:(\/\/)?/, '').replace(/\[.*\]$/, ''));
}

/** Logical lines: comments dropped, `\` continuations joined, per-requirement `--hash` options cut. */
function logicalLines(text: string): string[] {
  return text.replace(/\\\r?\n/g, ' ').split(/\r?\n/)
    .map((raw) => raw.replace(/(^|\s)#.*$/, '').replace(/\s--hash[=\s]\S+/g, '').trim())
    .filter(Boolean);
}

async function collect(source: string, file: string, constraints: boolean, into: Collected): Promise<void> {
  if (into.files.includes(file)) return;
  into.files.push(file);
  const text = await readFile(path.join(source, file), 'utf8').catch(() => '');
  const dir = path.posix.dirname(file);
  for (const line of logicalLines(text)) {
    const option = OPTION.exec(line);
    if (option) {
      const [, name, value = ''] = option;
      if (name === '-r' || name === '--requirement') await collect(source, path.posix.join(dir, value), constraints, into);
      else if (name === '-c' || name === '--constraint') await collect(source, path.posix.join(dir, value), true, into);
      else if (name === '-f' || name === '--find-links') into.findLinks.push(isUrl(value) ? value : localPath(path.posix.join(dir, value)));
      else if (name === '-i' || name === '--index-url' || name === '--extra-index-url') into.indexes.push(value);
      else if (name === '--no-index') into.noIndex = true;
      else if (name === '--no-binary') into.noBinary.push(...value.split(',').map((v) => (v === ':all:' ? v : normaliseProject(v))));
      continue;
    }
    const editable = /^(?:-e|--editable)(?:\s*=\s*|\s+)(\S+)/.exec(line)?.[1];
    const spec = editable ?? line;
    if (isUrl(spec) || /^(git|hg|svn|bzr)\+/.test(spec)) { if (!constraints) into.urls.push(spec); continue; }
    if (editable || spec.startsWith('.') || spec.startsWith('/') || spec.startsWith('file:') || (spec.includes('/') && !spec.includes('@'))) {
      into.local.push(localPath(spec));
      continue;
    }
    const named = parseNamed(line);
    if (constraints || !named) continue;
    if (named === 'url') into.urls.push(line);
    else into.named.push(named);
  }
}

/** A PEP 508 requirement (`name[extras] (specifier); marker`), 'url' for `name @ url`, undefined if unreadable. */
export function parseNamed(text: string): NamedRequirement | 'url' | undefined {
  const named = NAMED.exec(text.trim());
  if (!named) return undefined;
  const [, project, extras, specifier, url, marker] = named;
  if (url) return 'url';
  const pin = /^\(?\s*==\s*([^,*\s)]+)\s*\)?$/.exec(specifier ?? '')?.[1];
  return {
    project: normaliseProject(project!), text: text.trim(),
    extras: (extras ?? '').split(',').map((e) => e.trim()).filter(Boolean),
    ...(pin ? { pin } : {}), ...(marker ? { marker: marker.trim() } : {}),
  };
}

/** Reads `file` (default requirements.txt) and every file it includes with -r or -c. */
export async function readRequirements(source: string, file = 'requirements.txt'): Promise<PipRequirements> {
  const into: Collected = { files: [], named: [], local: [], urls: [], findLinks: [], indexes: [], noIndex: false, noBinary: [] };
  await collect(source, file, false, into);
  return into;
}

/** Local paths requirements read: the files themselves, path requirements, local find-links directories. */
export function requirementPaths(found: PipRequirements): string[] {
  return [...found.files, ...found.local, ...wheelhouseDirs(found)];
}

/** The --find-links entries that are directories of the function (relative to the source), not URLs. */
export function wheelhouseDirs(requirements: PipRequirements): string[] {
  return requirements.findLinks.filter((f) => !isUrl(f));
}
