// A node_modules layout for a dependency closure: every package placed as high as it can go
// without shadowing what another package resolves, so Node's lookup (walk up node_modules
// directories) finds for each dependent exactly the package the lockfile pins for it.
import { InternalError } from '../../errors.js';

/** Install path ('node_modules/a/node_modules/b') → node id; '' is the root. */
export type Layout = ReadonlyMap<string, string>;

export interface HoistOptions {
  /** The root's own dependencies: name → node id. */
  readonly root: ReadonlyMap<string, string>;
  /** Edges to follow from each placed node (production, optional, peer). */
  readonly edgesOf: (id: string) => readonly { readonly name: string; readonly target: string }[];
}

function parentDir(installPath: string): string | undefined {
  if (installPath === '') return undefined;
  const at = installPath.lastIndexOf('/node_modules/');
  return at < 0 ? '' : installPath.slice(0, at);
}

function childPath(dir: string, name: string): string {
  return dir === '' ? `node_modules/${name}` : `${dir}/node_modules/${name}`;
}

/** The install path Node reaches from `from` when it requires `name`, in `layout`. */
export function resolveIn(layout: Layout, from: string, name: string): string | undefined {
  for (let dir: string | undefined = from; dir !== undefined; dir = parentDir(dir)) {
    const candidate = childPath(dir, name);
    if (layout.has(candidate)) return candidate;
  }
  return undefined;
}

/**
 * Breadth-first placement: a dependency goes to the highest directory on its dependent's chain
 * whose slot is free and where no already-placed package below would start resolving it instead
 * of what it resolves now; otherwise under the dependent itself.
 */
export function hoist(options: HoistOptions): Layout {
  const layout = new Map<string, string>([['', '<root>']]);
  /** What each placed path resolved each of its dependency names to when it was placed. */
  const expectations: { from: string; name: string; id: string }[] = [];
  const queue: { path: string; deps: [string, string][] }[] = [{ path: '', deps: [...options.root] }];
  while (queue.length) {
    const { path: from, deps } = queue.shift()!;
    for (const [name, id] of [...deps].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const current = resolveIn(layout, from, name);
      if (current !== undefined && layout.get(current) === id) {
        expectations.push({ from, name, id });
        continue;
      }
      const chain: string[] = [];
      for (let dir: string | undefined = from; dir !== undefined; dir = parentDir(dir)) chain.unshift(dir);
      // Candidates from the top down; stop at the first occupied slot on the way (placing
      // above it would be shadowed by it).
      let placed: string | undefined;
      for (const dir of chain) {
        const slot = childPath(dir, name);
        if (layout.has(slot)) {
          // A different package of that name sits here: nothing above or here will do.
          continue;
        }
        const shadows = expectations.some((e) => e.name === name && e.id !== id && isUnder(e.from, dir) && resolvesThrough(layout, e.from, name, dir));
        if (shadows) continue;
        // Only a slot that `from` would actually reach: nothing nearer on its chain named `name`.
        layout.set(slot, id);
        if (resolveIn(layout, from, name) === slot) { placed = slot; break; }
        layout.delete(slot);
      }
      if (placed === undefined) {
        const slot = childPath(from, name);
        if (layout.has(slot)) throw new InternalError('HOIST_CONFLICT', `cannot place ${name} under ${from || 'the root'}: ${slot} is taken`);
        layout.set(slot, id);
        placed = slot;
      }
      expectations.push({ from, name, id });
      queue.push({ path: placed, deps: options.edgesOf(id).map((e) => [e.name, e.target]) });
    }
  }
  layout.delete('');
  return new Map([...layout].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function isUnder(path: string, dir: string): boolean {
  return dir === '' || path === dir || path.startsWith(`${dir}/`);
}

/** Whether `from` looks up `name` at `dir` (no nearer directory on its chain has one). */
function resolvesThrough(layout: Layout, from: string, name: string, dir: string): boolean {
  for (let d: string | undefined = from; d !== undefined; d = parentDir(d)) {
    if (d === dir) return true;
    if (layout.has(childPath(d, name))) return false;
  }
  return false;
}

/** Checks that every edge of every placed package resolves to the package the lockfile pins. */
export function checkLayout(layout: Layout, options: HoistOptions): string[] {
  const problems: string[] = [];
  const check = (from: string, name: string, id: string) => {
    const found = resolveIn(layout, from, name);
    if (found === undefined || layout.get(found) !== id) problems.push(`${from || '<root>'} → ${name}: ${found ? layout.get(found) : 'missing'}, want ${id}`);
  };
  for (const [name, id] of options.root) check('', name, id);
  for (const [path, id] of layout) for (const e of options.edgesOf(id)) check(path, e.name, e.target);
  return problems;
}
