// yarn.lock of yarn classic (v1, its own indented format) into the lockfile model. Yarn 1 does
// not lock workspace members or the root: their dependencies come from their package.json.
import path from 'node:path';
import { DEPENDENCY_FIELDS, LockfileBuilder, splitSpec, stringRecord, type LockEdge, type Lockfile } from './lockfile-model.js';
import { lockfileError } from './lockfile-text.js';
import type { PackageManifest } from './manifest.js';

type Block = { [key: string]: string | Block };
interface Entry { readonly keys: string[]; readonly fields: Block; readonly line: number }

/** One token: a double-quoted string (JSON escapes) or a bare word. */
function token(text: string): [string, string] {
  if (text.startsWith('"')) {
    let end = 1;
    while (end < text.length && text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
    return [JSON.parse(text.slice(0, end + 1)) as string, text.slice(end + 1).trimStart()];
  }
  const space = text.search(/\s/);
  return space < 0 ? [text, ''] : [text.slice(0, space), text.slice(space).trimStart()];
}

function keysOf(text: string): string[] {
  const keys: string[] = [];
  let rest = text;
  while (rest) {
    const [key, after] = token(rest.replace(/^,\s*/, ''));
    keys.push(key.replace(/,$/, ''));
    rest = after.replace(/^,\s*/, '');
  }
  return keys;
}

/** The entries of a yarn v1 lockfile, with their lines. */
export function readYarnClassicEntries(file: string, text: string): Entry[] {
  const entries: Entry[] = [];
  const stack: { indent: number; block: Block }[] = [];
  const lines = text.split('\n');
  lines.forEach((raw, index) => {
    const lineNo = index + 1;
    const content = raw.trim();
    if (!content || content.startsWith('#')) return;
    const indent = raw.length - raw.trimStart().length;
    if (indent % 2 !== 0) throw lockfileError('yarn-classic', file, lineNo, 'an indentation that is not a multiple of two spaces');
    try {
      if (indent === 0) {
        if (!content.endsWith(':')) throw new Error('a top-level line that is not an entry ("name@range:")');
        const fields: Block = {};
        entries.push({ keys: keysOf(content.slice(0, -1)), fields, line: lineNo });
        stack.length = 0;
        stack.push({ indent: 0, block: fields });
        return;
      }
      while (stack.length && stack[stack.length - 1]!.indent >= indent) stack.pop();
      const parent = stack[stack.length - 1];
      if (!parent || indent !== parent.indent + 2) throw new Error('a line indented deeper than its entry allows');
      if (content.endsWith(':')) {
        const [key] = token(content.slice(0, -1));
        const block: Block = {};
        parent.block[key] = block;
        stack.push({ indent, block });
      } else {
        const [key, rest] = token(content);
        const [value] = rest.startsWith('"') ? token(rest) : [rest];
        parent.block[key] = value;
      }
    } catch (error) {
      throw lockfileError('yarn-classic', file, lineNo, `not a yarn v1 lockfile line: ${(error as Error).message}`, error);
    }
  });
  return entries;
}

/**
 * `manifests`: the root's package.json ('.') and each workspace member's, by directory relative to
 * the lockfile's directory.
 */
export function parseYarnClassicLockfile(file: string, text: string, manifests: ReadonlyMap<string, PackageManifest>): Lockfile {
  const builder = new LockfileBuilder('yarn-classic', file, '1');
  const entries = readYarnClassicEntries(file, text);
  const byDescriptor = new Map<string, Entry>();
  for (const entry of entries) for (const key of entry.keys) byDescriptor.set(key, entry);
  const members = new Map<string, string>();
  for (const [dir, manifest] of manifests) if (manifest.name) members.set(manifest.name, `importer:${dir}`);

  const resolve = (name: string, range: string, fromDir: string): string | undefined => {
    const entry = byDescriptor.get(`${name}@${range}`);
    if (entry) return entry.keys[0];
    // Yarn 1 links workspace members without locking them.
    if (members.has(name)) return members.get(name);
    if (range.startsWith('link:')) return `importer:${path.posix.normalize(path.posix.join(fromDir, range.slice(5)))}`;
    return undefined;
  };
  const edges = (from: string, deps: Record<string, Record<string, string>>, fromDir: string): LockEdge[] => {
    const found: LockEdge[] = [];
    for (const [field, type] of DEPENDENCY_FIELDS) {
      for (const [name, range] of Object.entries(deps[field] ?? {})) {
        const target = resolve(name, range, fromDir);
        if (target !== undefined) found.push({ name, target, type });
        else if (type === 'prod' || type === 'dev') builder.miss({ from, name, type });
      }
    }
    return found;
  };

  for (const [dir, manifest] of manifests) {
    const id = `importer:${dir}`;
    builder.add({
      id, name: manifest.name ?? path.posix.basename(dir), version: manifest.version ?? '0.0.0', localPath: dir,
      dependencies: edges(id, { dependencies: { ...manifest.dependencies }, optionalDependencies: { ...manifest.optionalDependencies }, devDependencies: { ...manifest.devDependencies } }, dir),
      platform: {},
    });
  }
  for (const entry of entries) {
    const id = entry.keys[0]!;
    const fields = entry.fields;
    const { name, range } = splitSpec(id);
    const resolved = typeof fields.resolved === 'string' ? fields.resolved : undefined;
    const local = range.startsWith('file:') ? path.posix.normalize(range.slice(5)) : undefined;
    builder.add({
      id, name, version: typeof fields.version === 'string' ? fields.version : '0.0.0',
      ...(local !== undefined ? { localPath: local } : {}),
      ...(resolved ? { resolved } : {}),
      ...(typeof fields.integrity === 'string' ? { integrity: fields.integrity } : {}),
      dependencies: edges(id, { dependencies: stringRecord(fields.dependencies), optionalDependencies: stringRecord(fields.optionalDependencies) }, local ?? '.'),
      platform: {},
      line: entry.line,
    });
  }
  return builder.build();
}
