// What of a Python function's or layer's source reaches the install and what ships. A layer ships
// its own modules under python/ beside the installed dependencies (`import layer` works in a
// function using it), as a function ships them at its root. Whatever the install builds (local
// project directories, vendored archives, wheelhouses) and whatever only steers it (requirements
// files, pip.conf, lockfiles) never ships: the installed copy does. A requirement of `.` (or
// `-e .`) builds the source itself, so all of it is install input.
import type { SourceEntry } from '../../package/sources.js';
import { selectInputs } from '../inputs.js';
import type { PipRequirements } from '../pip-requirements.js';
import { wheelhouseDirs } from '../pip-requirements.js';
import { LOCK_MANIFESTS } from './lockfile.js';

export interface PythonLayout {
  /** Whether the source ships beside the installed dependencies. */
  readonly shipsSource: boolean;
  /** Where source and dependencies land in the zip: '' for a function, python/ for a layer. */
  readonly sourcePath: string;
  readonly packagePath: string;
  /** Source paths (globs) the install reads that never ship. */
  readonly installOnly: readonly string[];
}

const STEERING = ['pip.conf', 'requirements.txt', 'pyproject.toml', 'setup.py', 'setup.cfg', ...LOCK_MANIFESTS];

function isSelf(local: string): boolean {
  return local.replace(/\/+$/, '') === '.' || local === '';
}

const tree = (p: string) => [p, `${p}/**`];

/**
 * The layout of a pip artifact. `installsItself`: the source is a project the install builds
 * (a pyproject.toml function without requirements.txt, a lockfile's own project); its modules
 * then ship as installed, not twice.
 */
export function pythonLayout(kind: 'function' | 'layer', requirements: PipRequirements | undefined, installsItself: boolean): PythonLayout {
  const at = kind === 'layer' ? 'python' : '';
  const built = (requirements?.local ?? []).filter((l) => !isSelf(l));
  return {
    shipsSource: !installsItself,
    sourcePath: at, packagePath: at,
    installOnly: [...new Set([...STEERING, ...(requirements?.files ?? []), ...built.flatMap(tree), ...(requirements ? wheelhouseDirs(requirements).flatMap(tree) : [])])],
  };
}

/** Whether the requirements build the source itself (`.`, `./`, `-e .`). */
export function requiresItself(requirements: PipRequirements): boolean {
  return requirements.local.some(isSelf);
}

/** The source entries a requirements.txt install reads (sent into the container, keying the cache). */
export function requirementsInputs(entries: readonly SourceEntry[], requirements: PipRequirements): readonly SourceEntry[] {
  if (requiresItself(requirements)) return entries;
  return selectInputs(entries, ['pip.conf', ...requirements.files], [...requirements.local, ...wheelhouseDirs(requirements)]);
}

/** The local project directories a requirements.txt names (editable or not), which pip download resolves but does not save. */
export function localProjectDirs(requirements: PipRequirements): string[] {
  return requirements.local.filter((l) => !/\.(?:whl|zip|tar\.gz|tgz|tar\.bz2|tar\.xz)$/i.test(l)).map(projectDir);
}

/** A local project directory as the wheel builder gets it: `.` for the source itself. */
export function projectDir(local: string): string {
  return isSelf(local) ? '.' : local;
}
