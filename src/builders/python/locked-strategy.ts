// Whether a locked install for the other architecture may run in a host-architecture container
// (pip --platform … --only-binary=:all:) and give exactly what a container of the target gives:
// every locked distribution must have a wheel for the target among the files the lockfile lists,
// and no wheel an install on the target could prefer while --platform would not (a newer glibc).
// Locked sdists (and the project itself, when it compiles) are cross-compiled where the image has
// the cross toolchain. An index sdist is only seen in the container: one whose build ignores the
// cross-compile settings gives a wheel for the build machine, which the wheel builder refuses, or
// a binary the proof refuses; the task then builds emulated.
import type { StrategyFacts } from '../../plan/strategy.js';
import type { PlacedTask } from '../../plan/types.js';
import type { Architecture, Runtime } from '../../runtimes.js';
import { compileCrossHow, compilingProject, type Compiling } from '../pip-compile-cross.js';
import type { LocalProject } from '../pip-local.js';
import { parseSdistName, parseWheelName, wheelFit } from '../pip-tags.js';
import type { LockedDistribution, LockFormat } from './lock-types.js';

/** The project itself, when the lockfile installs it: its name and how it builds. */
export type LockedProject = Pick<LocalProject, 'name' | 'compiles' | 'noCrossCompile'>;

/**
 * The facts of a locked install for `arch`; given the task, also whether what must compile can be
 * cross-compiled in its engine-architecture image.
 */
export function lockedStrategyFacts(format: LockFormat, distributions: readonly LockedDistribution[], runtime: Runtime, arch: Architecture, project?: LockedProject, task?: PlacedTask): StrategyFacts {
  const mustCompile = new Set<string>();
  const compiling: Compiling[] = [];
  const blockers: string[] = [];
  if (project?.compiles) { mustCompile.add(project.name); compiling.push(compilingProject(project.name, project, 'the project')); }
  for (const dist of distributions) {
    const { source } = dist;
    if (source.kind === 'vcs' || source.kind === 'directory') { blockers.push(`${dist.name} is built from ${source.kind === 'vcs' ? 'a VCS checkout' : source.path}, which lambda-pack cannot judge while planning`); continue; }
    const named = dist.files.filter((f) => f.name);
    if (named.length === 0) { blockers.push(`${format} records ${dist.name}'s hashes but not its file names, so lambda-pack cannot tell whether it has a wheel for ${arch.name}`); continue; }
    const wheels = named.flatMap((f) => { const w = parseWheelName(f.name); return w ? [{ file: f.name, fit: wheelFit(w, runtime, arch) }] : []; });
    const tooNew = wheels.find((w) => w.fit === 'too-new');
    if (tooNew) blockers.push(`${tooNew.file} needs a newer glibc than ${runtime.id} has, and an install on ${arch.name} could choose it`);
    if (!wheels.some((w) => w.fit === 'fits') && named.some((f) => parseSdistName(f.name))) { mustCompile.add(dist.name); compiling.push({ name: dist.name }); }
  }
  const cross = `every locked package has a cp${runtime.python!.join('')} wheel for ${arch.gnuArch} (manylinux, glibc ≤ ${runtime.glibc.join('.')}): pip installs them for ${arch.name} (--platform, --only-binary=:all:)`;
  if (mustCompile.size > 0) {
    const how = task ? compileCrossHow(task, compiling, blockers) : undefined;
    return { mustCompile: [...mustCompile].sort(), cross, ...(how ? { compileCross: how } : {}) };
  }
  if (blockers.length > 0) return { mustCompile: [], noCross: blockers.length > 1 ? `${blockers[0]}; and ${blockers.length - 1} more` : blockers[0] };
  return { mustCompile: [], cross };
}
