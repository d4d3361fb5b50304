// OUTSIDE_LAYER_PATHS (warning): layer content that the runtime will never look at, such as a
// top-level node_modules/ or python/lib/python3.11/site-packages/ in a layer for python3.12.
import type { Runtime } from '../../runtimes.js';
import { finding, type Finding } from '../findings.js';
import type { CheckContext } from './context.js';

export function checkLayerPaths({ layer, runtime, tree }: CheckContext): Finding[] {
  if (!layer) return [];
  const offenders = new Map<string, number>();
  for (const entry of tree.entries) {
    if (entry.path === undefined) continue;
    const prefix = unusedPrefix(runtime, entry.path);
    if (prefix !== undefined) offenders.set(prefix, (offenders.get(prefix) ?? 0) + 1);
  }
  const expected = runtime.layerPaths.join(', ');
  return [...offenders].map(([prefix, count]) =>
    finding('OUTSIDE_LAYER_PATHS', prefix, `${count} entr${count === 1 ? 'y' : 'ies'} under ${prefix} will not be found by ${runtime.id}, which looks in ${expected} under /opt`));
}

/** The leading part of `path` that puts it outside every layer path, or undefined if it is used. */
function unusedPrefix(runtime: Runtime, path: string): string | undefined {
  const site = /^python\/lib\/python(\d+)\.(\d+)(?=\/|$)/.exec(path);
  if (site && runtime.python && (Number(site[1]) !== runtime.python[0] || Number(site[2]) !== runtime.python[1])) return site[0];
  const nodeDir = /^nodejs\/node(\d+)(?=\/|$)/.exec(path);
  if (nodeDir && runtime.nodeMajor !== undefined && Number(nodeDir[1]) !== runtime.nodeMajor) return nodeDir[0];
  const used = runtime.layerPaths.some((lp) => path === lp || path.startsWith(`${lp}/`) || lp.startsWith(`${path}/`));
  return used ? undefined : path.split('/')[0];
}
