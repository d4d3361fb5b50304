// pip: installs requirements.txt (or a PEP 621 project) with the runtime's own interpreter in the
// target-architecture container, compiling sdists there — or, when every requirement is a wheel
// for the target, from a container of the engine's architecture with --platform. Ships
// site-packages without bytecode.
import { access, constants } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError } from '../errors.js';
import type { PlacedTask } from '../plan/types.js';
import { CONTAINER, topLevelFiles, type Analysis, type Builder } from './types.js';
import { selectInputs } from './inputs.js';
import { pipStrategyFacts, readPipSourceFacts, type PipSourceFacts } from './pip-cross.js';
import { readRequirements, requirementPaths, wheelhouseDirs } from './pip-requirements.js';
import { crossInstallOptions } from './pip-tags.js';

/**
 * Bytecode (compiled on Lambda as needed), console scripts (bin/, whose shebangs name the build
 * image's interpreter) and direct_url.json (pip's note of where a local project was installed
 * from: the container's path).
 */
const JUNK = ['**/__pycache__/**', '**/__pycache__', '**/*.pyc', '**/*.pyo', 'bin/**', 'bin', '*.dist-info/direct_url.json'];

export interface PipAnalysis extends Analysis {
  readonly facts: PipSourceFacts;
  /** The function's own pip.conf configures the install. */
  readonly pipConf: boolean;
}

/** What a failed cross install most likely means: the image's own pip settings offered other files. */
function crossFailure(task: PlacedTask, wheelhouses: readonly string[]): string {
  return `lambda-pack: pip found no ${task.arch.gnuArch} wheel for a requirement, though the plan found every one in ${wheelhouses.map((d) => `${d}/`).join(', ') || 'the function'}. ` +
    `If the image's own pip settings (PIP_FIND_LINKS, /etc/pip.conf) change where packages come from, build ${task.id} with --strategy emulated.`;
}

export const pipBuilder: Builder<PipAnalysis> = {
  name: 'pip',
  version: 3,
  needsContainer: true,
  markers: ['requirements.txt', 'pyproject.toml'],
  families: ['python'],

  async analyze(artifact, entries) {
    const files = topLevelFiles(entries);
    const hasRequirements = files.has('requirements.txt');
    if (!hasRequirements && !files.has('pyproject.toml')) {
      throw new ConfigError('REQUIREMENTS_MISSING',
        `Function "${artifact.name}": ${artifact.source} has neither requirements.txt nor pyproject.toml, so pip has nothing to install. ` +
        `Add a requirements.txt (it may be empty), or set builder: copy for a function without dependencies.`,
        { file: `${artifact.source}/requirements.txt`, fix: 'add requirements.txt' });
    }
    const manifest = path.join(artifact.source, hasRequirements ? 'requirements.txt' : 'pyproject.toml');
    await access(manifest, constants.R_OK).catch((error: unknown) => {
      throw new ConfigError('REQUIREMENTS_UNREADABLE', `Function "${artifact.name}": ${manifest} cannot be read (${(error as NodeJS.ErrnoException).code}). Fix its permissions (chmod a+r).`, { file: manifest }, { cause: error });
    });
    const requirements = hasRequirements ? await readRequirements(artifact.source) : undefined;
    const wheelhouses = requirements ? wheelhouseDirs(requirements) : [];
    return {
      // A pyproject project installs itself: all of it is input.
      installInputs: requirements ? selectInputs(entries, ['pip.conf'], requirementPaths(requirements)) : entries,
      // A wheelhouse named by --find-links feeds the install; its archives are no code to ship.
      installOnly: ['pip.conf', 'requirements.txt', 'pyproject.toml', ...wheelhouses.flatMap((dir) => [dir, `${dir}/**`])],
      // A requirements.txt function ships its code beside its dependencies; a pyproject project is
      // itself installed, so its source would ship twice.
      shipsSource: hasRequirements && artifact.kind !== 'layer',
      sourcePath: '',
      facts: await readPipSourceFacts(artifact.source, requirements),
      pipConf: files.has('pip.conf'),
    };
  },

  strategyFacts: (analysis, task) => pipStrategyFacts(analysis.facts, task),

  install(analysis, task, strategy) {
    const { artifact } = task;
    const python = `python${artifact.runtime.python![0]}.${artifact.runtime.python![1]}`;
    const cross = strategy.kind === 'cross';
    const requirements = analysis.facts.requirements;
    return {
      steps: [
        { require: `command -v ${python} >/dev/null`, message: `lambda-pack: ${python} is not in this image; use an image made for ${artifact.runtime.id}` },
        { run: ['mkdir', '-p', CONTAINER.out] },
        {
          run: [python, '-m', 'pip', 'install', '--no-compile', '--no-warn-script-location', '--disable-pip-version-check',
            '--progress-bar', 'off', '--target', CONTAINER.out,
            // Cross: pip chooses the target's wheels as it would on Lambda, and never builds one.
            ...(cross ? crossInstallOptions(artifact.runtime, task.arch) : []), ...(requirements ? ['-r', 'requirements.txt'] : ['.'])],
          ...(cross ? { onFailure: crossFailure(task, requirements ? wheelhouseDirs(requirements) : []) } : {}),
        },
      ],
      output: CONTAINER.out,
      packagePath: artifact.kind === 'layer' ? 'python' : '',
      // A pip.conf in the function directory configures the install (private index) and never ships.
      ...(analysis.pipConf ? { env: { PIP_CONFIG_FILE: `${CONTAINER.build}/pip.conf` } } : {}),
      compilerFlags: true,
      drop: JUNK,
    };
  },
};
