// Whether a locked install for the other architecture may run in a host-architecture container
// (pip --platform … --only-binary=:all:) and give exactly what a container of the target gives:
// every locked distribution must have a wheel for the target among the files the lockfile lists,
// and no wheel an install on the target could prefer while --platform would not (a newer glibc).
import type { StrategyFacts } from '../../plan/strategy.js';
import type { Architecture, Runtime } from '../../runtimes.js';
import { parseSdistName, parseWheelName, wheelFit } from '../pip-tags.js';
import type { LockedDistribution, LockFormat } from './lock-types.js';

export function lockedStrategyFacts(format: LockFormat, distributions: readonly LockedDistribution[], runtime: Runtime, arch: Architecture, project?: { name: string; compiles?: string }): StrategyFacts {
  const mustCompile = new Set<string>();
  const blockers: string[] = [];
  if (project?.compiles) mustCompile.add(project.name);
  for (const dist of distributions) {
    const { source } = dist;
    if (source.kind === 'vcs' || source.kind === 'directory') { blockers.push(`${dist.name} is built from ${source.kind === 'vcs' ? 'a VCS checkout' : source.path}, which lambda-pack cannot judge while planning`); continue; }
    const named = dist.files.filter((f) => f.name);
    if (named.length === 0) { blockers.push(`${format} records ${dist.name}'s hashes but not its file names, so lambda-pack cannot tell whether it has a wheel for ${arch.name}`); continue; }
    const wheels = named.flatMap((f) => { const w = parseWheelName(f.name); return w ? [{ file: f.name, fit: wheelFit(w, runtime, arch) }] : []; });
    const tooNew = wheels.find((w) => w.fit === 'too-new');
    if (tooNew) blockers.push(`${tooNew.file} needs a newer glibc than ${runtime.id} has, and an install on ${arch.name} could choose it`);
    if (!wheels.some((w) => w.fit === 'fits') && named.some((f) => parseSdistName(f.name))) mustCompile.add(dist.name);
  }
  const cross = `every locked package has a cp${runtime.python!.join('')} wheel for ${arch.gnuArch} (manylinux, glibc ≤ ${runtime.glibc.join('.')}): pip installs them for ${arch.name} (--platform, --only-binary=:all:)`;
  if (mustCompile.size > 0) return { mustCompile: [...mustCompile].sort(), cross };
  if (blockers.length > 0) return { mustCompile: [], noCross: blockers.length > 1 ? `${blockers[0]}; and ${blockers.length - 1} more` : blockers[0] };
  return { mustCompile: [], cross };
}
