// pip: installs requirements.txt (or a PEP 621 project) with the runtime's own interpreter in the
// target-architecture container, compiling sdists there — or, when every requirement is a wheel
// for the target, from a host-architecture container with --platform. Ships site-packages without
// bytecode.
import { access, constants } from 'node:fs/promises';
import path from 'node:path';
import picomatch from 'picomatch';
import { ConfigError } from '../errors.js';
import type { Task } from '../plan/types.js';
import { CONTAINER, topLevelFiles, type Builder } from './types.js';
import { command, quote, requireOrExit } from './shell.js';
import { selectInputs } from './inputs.js';
import { pipStrategyFacts } from './pip-cross.js';
import { pipLocalPaths, readRequirements, wheelhouseDirs } from './pip-requirements.js';
import { crossInstallOptions } from './pip-tags.js';

const JUNK = picomatch(['**/__pycache__/**', '**/__pycache__', '**/*.pyc', '**/*.pyo', 'bin/**', 'bin'], { dot: true });

/** What a failed cross install most likely means: the image's own pip settings offered other files. */
function crossFailure(task: Task, wheelhouses: readonly string[]): string {
  return `lambda-pack: pip found no ${task.arch.gnuArch} wheel for a requirement, though the plan found every one in ${wheelhouses.map((d) => `${d}/`).join(', ') || 'the function'}. ` +
    `If the image's own pip settings (PIP_FIND_LINKS, /etc/pip.conf) change where packages come from, build ${task.id} with --strategy emulated.`;
}

export const pipBuilder: Builder = {
  name: 'pip',
  needsContainer: true,
  installOnly: ['pip.conf', 'requirements.txt', 'pyproject.toml'],
  version: 1,

  async installInputs(source, entries) {
    // A pyproject project installs itself: all of it is input.
    if (!topLevelFiles(entries).has('requirements.txt')) return entries;
    return selectInputs(entries, ['pip.conf'], await pipLocalPaths(source));
  },

  strategyFacts: pipStrategyFacts,

  async prepare(task, entries, strategy) {
    const { artifact } = task;
    const files = topLevelFiles(entries);
    const python = `python${artifact.runtime.python![0]}.${artifact.runtime.python![1]}`;
    const requirements = files.has('requirements.txt');
    if (!requirements && !files.has('pyproject.toml')) {
      throw new ConfigError('REQUIREMENTS_MISSING',
        `Function "${artifact.name}": ${artifact.source} has neither requirements.txt nor pyproject.toml, so pip has nothing to install. ` +
        `Add a requirements.txt (it may be empty), or set builder: copy for a function without dependencies.`,
        { file: `${artifact.source}/requirements.txt`, fix: 'add requirements.txt' });
    }
    const manifest = path.join(artifact.source, requirements ? 'requirements.txt' : 'pyproject.toml');
    await access(manifest, constants.R_OK).catch((error: unknown) => {
      throw new ConfigError('REQUIREMENTS_UNREADABLE', `Function "${artifact.name}": ${manifest} cannot be read (${(error as NodeJS.ErrnoException).code}). Fix its permissions (chmod a+r).`, { file: manifest }, { cause: error });
    });
    const layer = artifact.kind === 'layer';
    const target = requirements ? ['-r', 'requirements.txt'] : ['.'];
    // A wheelhouse named by --find-links feeds the install; its archives are no code to ship.
    const wheelhouses = requirements ? wheelhouseDirs(await readRequirements(artifact.source)) : [];
    return {
      commands: [
        requireOrExit(`command -v ${python} >/dev/null`, `lambda-pack: ${python} is not in this image; use an image made for ${artifact.runtime.id}`),
        // A pip.conf in the function directory configures the install (private index) and never ships.
        'if [ -f pip.conf ]; then export PIP_CONFIG_FILE="$PWD/pip.conf"; fi',
        `mkdir -p ${quote(CONTAINER.out)}`,
        command([python, '-m', 'pip', 'install', '--no-compile', '--no-warn-script-location', '--disable-pip-version-check',
          '--progress-bar', 'off', '--target', CONTAINER.out,
          // Cross: pip chooses the target's wheels as it would on Lambda, and never builds one.
          ...(strategy.kind === 'cross' ? crossInstallOptions(artifact.runtime, task.arch) : []), ...target])
          + (strategy.kind === 'cross' ? ` || { status=$?; echo ${quote(crossFailure(task, wheelhouses))} >&2; exit $status; }` : ''),
      ],
      containerPath: CONTAINER.out,
      packagePath: layer ? 'python' : '',
      // A requirements.txt function ships its code beside its dependencies; a pyproject project is
      // itself installed, so its source would ship twice.
      shipsSource: requirements && !layer,
      sourcePath: '',
      installOnly: wheelhouses.flatMap((dir) => [dir, `${dir}/**`]),
    };
  },

  keepOutput(relPath) {
    return !JUNK(relPath);
  },
};
