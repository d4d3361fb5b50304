// Which distribution installed each file of a dependency tree: Python's *.dist-info/RECORD
// (paths relative to the install, CSV), read to trace a file the proof refused to the requirement
// it came from.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { normaliseProject } from '../builders/pip-tags.js';

/** One RECORD line's path: the first CSV field (quoted when it holds a comma or a quote). */
function recordPath(line: string): string | undefined {
  if (!line.startsWith('"')) return line.split(',')[0] || undefined;
  const end = /^"((?:[^"]|"")*)"/.exec(line);
  return end ? end[1]!.replace(/""/g, '"') : undefined;
}

/** The RECORD lines of a dist-info directory as file → distribution entries (name normalised). */
export function recordOwners(distInfo: string, record: string): [string, string][] {
  const distribution = normaliseProject(distInfo.replace(/\.dist-info$/, '').split('-')[0]!);
  return record.split(/\r?\n/).flatMap((line) => {
    const file = recordPath(line);
    return file ? [[path.posix.normalize(file), distribution] as [string, string]] : [];
  });
}

/** Every installed file of `dir` with the distribution that installed it. */
export async function distInfoOwners(dir: string): Promise<Map<string, string>> {
  const owners = new Map<string, string>();
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith('.dist-info')).sort();
  for (const name of names) {
    const record = await readFile(path.join(dir, name, 'RECORD'), 'utf8').catch(() => '');
    for (const [file, owner] of recordOwners(name, record)) owners.set(file, owner);
  }
  return owners;
}
