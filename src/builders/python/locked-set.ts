// What a lockfile installs for one task: from the project's main dependencies, the chosen extras
// and dependency groups, along the locked edges whose markers hold on Lambda for the task's
// runtime and architecture. Development groups never ship.
import { ConfigError } from '../../errors.js';
import { normaliseProject } from '../pip-tags.js';
import { evaluateMarker, MarkerError, type MarkerEnvironment } from './markers.js';
import type { LockEdge, LockedDistribution, LockedPackage, LockGraph } from './lock-types.js';
import { satisfies } from './versions.js';

/** Checks the config's choice against what the lockfile offers: unknown names and dev groups are errors. */
export function checkChoice(graph: LockGraph, env: MarkerEnvironment): void {
  for (const group of env.dependencyGroups) {
    if (graph.devGroups.includes(group)) {
      throw new ConfigError('DEV_GROUP_CHOSEN', `dependencyGroups names "${group}", the development group of ${graph.file}: development dependencies never ship in a Lambda package. Move what the function needs at run time to the main dependencies or to another group.`, { field: 'dependencyGroups', fix: `remove "${group}"` });
    }
    if (!graph.groups[group]) {
      const known = Object.keys(graph.groups).filter((g) => !graph.devGroups.includes(g));
      throw new ConfigError('DEPENDENCY_GROUP_UNKNOWN', `dependencyGroups names "${group}", which ${graph.file} does not have (${known.length ? `it has ${known.join(', ')}` : 'it has no groups besides the development one'}). Fix the name, or add the group and lock again.`, { field: 'dependencyGroups', fix: known.length ? `one of ${known.join(', ')}` : 'remove it' });
    }
  }
  for (const extra of env.extras) {
    if (!graph.extras[extra]) {
      const known = Object.keys(graph.extras);
      throw new ConfigError('EXTRA_UNKNOWN', `extras names "${extra}", which the project of ${graph.file} does not offer (${known.length ? `it offers ${known.join(', ')}` : 'it has no extras'}). Fix the name, or declare the extra and lock again.`, { field: 'extras', fix: known.length ? `one of ${known.join(', ')}` : 'remove it' });
    }
  }
}

function holds(graph: LockGraph, edge: LockEdge, via: string, env: MarkerEnvironment): boolean {
  if (!edge.marker) return true;
  try {
    return evaluateMarker(edge.marker, env);
  } catch (error) {
    if (!(error instanceof MarkerError)) throw error;
    throw new ConfigError('LOCK_MARKER', `${graph.file}: ${edge.name} (required by ${via}) has the ${error.message}. lambda-pack evaluates markers for the task's runtime and architecture; narrow the marker (python_version instead of python_full_version), or lock for a fixed patch version.`, { file: graph.file, fix: 'narrow the marker' }, { cause: error });
  }
}

function resolve(graph: LockGraph, edge: LockEdge, via: string): LockedPackage {
  const named = graph.packages.filter((p) => p.name === edge.name);
  const candidates = named.filter((p) => (!edge.version || p.version === edge.version)
    && (!edge.sourceKey || p.sourceKey === edge.sourceKey)
    && (!edge.specifier || satisfies(p.version, edge.specifier) !== false));
  if (candidates.length === 1) return candidates[0]!;
  if (candidates.length === 0) {
    const wanted = `${edge.name}${edge.version ? ` ${edge.version}` : edge.specifier ? ` ${edge.specifier}` : ''}`;
    throw new ConfigError('LOCK_INCOMPLETE', `${graph.file} has no locked package ${wanted}, which ${via} requires${named.length ? ` (it locks ${named.map((p) => p.version).join(', ')})` : ''}: the lockfile is incomplete or out of date. Lock again, then build again.`, { file: graph.file, fix: 'lock again' });
  }
  throw new ConfigError('LOCK_AMBIGUOUS', `${graph.file} locks ${edge.name} more than once (${candidates.map((p) => p.version).join(', ')}) and ${via} does not say which it needs for this task. Lock again; if it persists, report it with the lockfile.`, { file: graph.file });
}

/**
 * The distributions the task installs, sorted by name then version. The project itself is not in
 * the list (see `graph.project`).
 */
export function lockedSet(graph: LockGraph, env: MarkerEnvironment): LockedDistribution[] {
  checkChoice(graph, env);
  const chosen = new Map<string, LockedPackage>();
  const followed = new Set<string>();
  const queue: { edge: LockEdge; via: string }[] = [
    ...graph.main.map((edge) => ({ edge, via: 'the project' })),
    ...env.dependencyGroups.flatMap((g) => graph.groups[g]!.map((edge) => ({ edge, via: `dependency group ${g}` }))),
    ...env.extras.flatMap((x) => graph.extras[x]!.map((edge) => ({ edge, via: `extra ${x}` }))),
  ];
  for (let next = queue.shift(); next; next = queue.shift()) {
    const { edge, via } = next;
    if (graph.project && edge.name === graph.project.name) continue; // the project's own extras, requested by itself
    if (!holds(graph, edge, via, env)) continue;
    const found = resolve(graph, edge, via);
    chosen.set(found.key, found);
    const extras = edge.extras.map(normaliseProject).sort();
    const visit = `${found.key}[${extras.join(',')}]`;
    if (followed.has(visit)) continue;
    followed.add(visit);
    const here = `${found.name} ${found.version}`;
    for (const dependency of found.dependencies) queue.push({ edge: dependency, via: here });
    for (const extra of extras) for (const dependency of found.optional[extra] ?? []) queue.push({ edge: dependency, via: `${here}[${extra}]` });
  }
  return [...chosen.values()]
    .map(({ name, version, source, files }) => ({ name, version, source, files }))
    .sort((a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version));
}
