// MISSING_SHARED_LIBRARY: every DT_NEEDED library must be found the way the dynamic loader will
// look for it on Lambda: RPATH/RUNPATH (with $ORIGIN), LD_LIBRARY_PATH (/var/task, /var/task/lib,
// /opt/lib and the runtime's own directories), then the base image's library directories.
import { posix } from 'node:path';
import { baseImageProvides } from '../base-images.js';
import type { ElfFile } from '../binary/elf.js';
import { finding, type Finding } from '../findings.js';
import { FUNCTION_ROOT, LAYER_ROOT } from '../package-tree.js';
import { isMusl, loadableElves } from './binaries.js';
import type { CheckContext } from './context.js';

/** The package directories on Lambda's LD_LIBRARY_PATH; the rest of it is the base image's. */
const PACKAGE_LIBRARY_PATH = [FUNCTION_ROOT, `${FUNCTION_ROOT}/lib`, `${LAYER_ROOT}/lib`];

export function checkSharedLibraries(context: CheckContext): Finding[] {
  const { runtime, filesystem, tree } = context;
  const findings: Finding[] = [];
  for (const { entry, elf } of loadableElves(context)) {
    if (isMusl(elf) || entry.path === undefined) continue;
    const origin = posix.dirname(`${tree.root}/${entry.path}`);
    const directories = searchPath(elf, origin);
    const missing = elf.needed.filter((name) =>
      !name.includes('/') && !baseImageProvides(runtime, name) && !directories.some((dir) => filesystem.exists(posix.join(dir, name))));
    for (const name of missing) {
      const rpath = [...elf.rpath, ...elf.runpath];
      const more = rpath.length > 1 ? ` and ${rpath.length - 1} more` : '';
      const via = rpath.length ? `, its RPATH/RUNPATH ${rpath[0]}${more}` : '';
      const layersHint = context.layers.length ? '' : ' (if a layer provides it, pass the layer zips with --layers)';
      findings.push(finding('MISSING_SHARED_LIBRARY', entry.name,
        `needs ${name}, which is not in the zip's library paths (/var/task, /var/task/lib, /opt/lib${via}) nor in the ${runtime.id} base image (${runtime.os.toUpperCase()})${layersHint}`));
    }
  }
  return findings;
}

function searchPath(elf: ElfFile, origin: string): string[] {
  const { rpath, runpath } = expandedRunPaths(elf, origin);
  return [...rpath, ...PACKAGE_LIBRARY_PATH, ...runpath];
}

/**
 * DT_RPATH and DT_RUNPATH as absolute directories, $ORIGIN expanded. DT_RPATH is ignored when
 * DT_RUNPATH is present; DT_RPATH is searched before LD_LIBRARY_PATH, DT_RUNPATH after it.
 */
export function expandedRunPaths(elf: ElfFile, origin: string): { rpath: string[]; runpath: string[] } {
  const expand = (dir: string): string => posix.resolve(FUNCTION_ROOT, dir.replace(/\$\{ORIGIN\}|\$ORIGIN/g, origin));
  return { rpath: elf.runpath.length ? [] : elf.rpath.map(expand), runpath: elf.runpath.map(expand) };
}
