// Whether what a pip install must compile (sdists, local projects with C/C++ extensions) can be
// compiled for the other architecture in the engine-architecture image: setuptools with Debian's
// cross gcc/g++ and the target interpreter's sysconfig data, the wheel then cross-installed with
// the rest. Pure: judged from what the host read (pip-local.ts, python/sdist-project.ts); the
// proof (verify, then the load check on the target) decides whether the artifact is kept.
import type { PlacedTask } from '../plan/types.js';
import { gnuCrossIn, pythonCrossEnv } from './cross.js';
import type { LocalProject } from './pip-local.js';

/** One thing the install compiles, as the cross-compile judges it. */
export interface Compiling {
  readonly name: string;
  /** Why it cannot be cross-compiled, when it cannot. */
  readonly noCross?: string;
  /** A wheelhouse sdist (path in the source) built into a target wheel before pip resolves: --only-binary would refuse it. */
  readonly prebuild?: string;
  /** What it is built from, in the source (an archive, a project directory); absent for the function's own project. */
  readonly from?: { readonly sdist: string } | { readonly local: string };
}

/** A project's entry: built by setuptools with C/C++ only, or why not. */
export function compilingProject(name: string, project: LocalProject | undefined, where: string): Compiling {
  if (!project) return { name, noCross: `lambda-pack cannot read ${where} on the host to see how it builds` };
  return project.noCrossCompile ? { name, noCross: `${name} ${project.noCrossCompile}` } : { name };
}

/**
 * How the engine-architecture image compiles `compiling` for the task's architecture (shown in the
 * plan's reason), or undefined when something keeps it from doing so, and they build emulated: a
 * requirement lambda-pack cannot judge (`blockers`), one that setuptools cannot cross-compile, or
 * an image without the GNU cross toolchain.
 */
export function compileCrossHow(task: PlacedTask, compiling: readonly Compiling[], blockers: readonly string[]): string | undefined {
  if (compiling.length === 0 || blockers.length > 0 || compiling.some((c) => c.noCross)) return undefined;
  if (!gnuCrossIn(task)) return undefined;
  const env = pythonCrossEnv(task.arch);
  return `setuptools builds with ${env.CC}, _PYTHON_HOST_PLATFORM=${env._PYTHON_HOST_PLATFORM}`;
}
