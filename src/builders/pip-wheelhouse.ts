// The wheelhouse directories a function's requirements name (--find-links inside its source):
// which distributions they hold, and what a wheel in them requires (its METADATA).
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { ZipArchive } from '../zip/read/archive.js';
import { parseNamed, type NamedRequirement } from './pip-requirements.js';
import { parseSdistName, parseWheelName, type WheelName } from './pip-tags.js';

export interface Distributions {
  readonly wheels: readonly { readonly file: string; readonly name: WheelName }[];
  readonly sdists: readonly { readonly file: string; readonly version: string }[];
}

/** Distributions by normalised project name, across the directories (relative to the source). */
export async function readWheelhouses(source: string, dirs: readonly string[]): Promise<Map<string, Distributions>> {
  const found = new Map<string, { wheels: Distributions['wheels'][number][]; sdists: Distributions['sdists'][number][] }>();
  const entry = (project: string) => {
    let distributions = found.get(project);
    if (!distributions) {
      distributions = { wheels: [], sdists: [] };
      found.set(project, distributions);
    }
    return distributions;
  };
  for (const dir of dirs) {
    const names = await readdir(path.join(source, dir)).catch(() => [] as string[]);
    for (const name of names.sort()) {
      const file = path.posix.join(dir, name);
      const wheel = parseWheelName(name);
      if (wheel) { entry(wheel.project).wheels.push({ file, name: wheel }); continue; }
      const sdist = parseSdistName(name);
      if (sdist) entry(sdist.project).sdists.push({ file, version: sdist.version });
    }
  }
  return found;
}

/** The `Requires-Dist` headers of a wheel's METADATA; undefined when the wheel cannot be read. */
export function wheelRequirements(wheelPath: string): (NamedRequirement | 'url')[] | undefined {
  let archive: ZipArchive | undefined;
  try {
    archive = ZipArchive.open(wheelPath);
    const metadata = archive.entries.find((e) => /^[^/]+\.dist-info\/METADATA$/.test(e.name));
    if (!metadata) return undefined;
    const headers = archive.readAll(metadata, 4 * 1024 * 1024).toString('utf8').split(/\r?\n\r?\n/)[0]!;
    return headers.split(/\r?\n/)
      .filter((line) => /^Requires-Dist:/i.test(line))
      .map((line) => parseNamed(line.replace(/^Requires-Dist:\s*/i, '')))
      .filter((r): r is NamedRequirement | 'url' => r !== undefined);
  } catch {
    return undefined;
  } finally {
    archive?.close();
  }
}
