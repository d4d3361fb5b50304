// Which source files an install reads. Only those are sent into the container, and only those
// key the dependency cache: a change to the function's own code never reinstalls dependencies.
import type { SourceEntry } from '../package/sources.js';

/** Entries named in `files` or lying under one of `dirs` (all relative, '/'-separated). */
export function selectInputs(entries: readonly SourceEntry[], files: readonly string[], dirs: readonly string[]): SourceEntry[] {
  const wanted = new Set(files);
  const under = dirs.map((d) => d.replace(/^\.\//, '').replace(/\/+$/, '')).filter((d) => d && d !== '.' && !d.startsWith('..'));
  return entries.filter((e) => wanted.has(e.path) || under.some((d) => e.path === d || e.path.startsWith(`${d}/`))
    // Directories leading to a wanted file travel with it.
    || (e.kind === 'directory' && [...wanted, ...under].some((w) => w.startsWith(`${e.path}/`))));
}
