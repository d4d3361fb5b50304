// Whether what a pip install must compile (sdists, local projects with C/C++ extensions) can be
// compiled for the other architecture in the engine-architecture image: setuptools with Debian's
// cross gcc/g++ and the target interpreter's sysconfig data, the wheel then cross-installed with
// the rest. Pure: judged from what the host read (pip-local.ts, python/sdist-project.ts); the
// proof (verify, then the load check on the target) decides whether the artifact is kept.
import type { PlacedTask } from '../plan/types.js';
import { crossToolchainOf, describeImage } from '../recipes.js';
import { gnuTriple, pythonCrossEnv } from './cross.js';
import type { LocalProject } from './pip-local.js';

/** One thing the install compiles, as the cross-compile judges it. */
export interface Compiling {
  readonly name: string;
  /** Why it cannot be cross-compiled, when it cannot. */
  readonly noCross?: string;
  /** A wheelhouse sdist (path in the source) built into a target wheel before pip resolves: --only-binary would refuse it. */
  readonly prebuild?: string;
}

/** A project's entry: built by setuptools with C/C++ only, or why not. */
export function compilingProject(name: string, project: LocalProject | undefined, where: string): Compiling {
  if (!project) return { name, noCross: `lambda-pack cannot read ${where} on the host to see how it builds` };
  return project.noCrossCompile ? { name, noCross: `${name} ${project.noCrossCompile}` } : { name };
}

function list(names: readonly string[]): string {
  return names.length > 3 ? `${names.slice(0, 3).join(', ')} and ${names.length - 3} more` : names.join(', ');
}

/**
 * How the engine-architecture image compiles `compiling` for the task's architecture (the reason
 * the plan shows), or undefined when something keeps it from doing so: no cross toolchain in the
 * image, a requirement it cannot judge, or one that setuptools cannot cross-compile.
 */
export function compileCrossHow(task: PlacedTask, compiling: readonly Compiling[], blockers: readonly string[]): { how?: string; why?: string } {
  if (compiling.length === 0) return {};
  if (crossToolchainOf(task.engineImage) !== 'gnu') return { why: `its ${task.engine.arch.name} image, ${describeImage(task.engineImage)}, has no ${gnuTriple(task.arch)} cross compiler` };
  const refused = compiling.find((c) => c.noCross);
  if (refused) return { why: refused.noCross! };
  if (blockers.length > 0) return { why: blockers[0]! };
  const env = pythonCrossEnv(task.arch, task.artifact.runtime);
  const names = [...new Set(compiling.map((c) => c.name))].sort();
  return { how: `setuptools builds ${list(names)} with ${env.CC} for ${task.arch.name} (_PYTHON_HOST_PLATFORM=${env._PYTHON_HOST_PLATFORM})` };
}
