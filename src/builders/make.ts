// make (SAM-compatible): `make build-<Name>` when the Makefile has that target, else the default
// target, with ARTIFACTS_DIR pointing at the output; what lands there is the package. With
// `cross: true` a host-architecture container builds it, CC/CXX/AR naming the target's compilers.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import picomatch from 'picomatch';
import { ConfigError } from '../errors.js';
import { crossToolchainOf, describeImage } from '../plan/recipes.js';
import type { Task } from '../plan/types.js';
import { gnuTriple, makeCrossEnv } from './cross.js';
import { CONTAINER, type Builder } from './types.js';
import { command, quote, requireOrExit } from './shell.js';
import { REPRODUCIBLE_ENV } from './script.js';

const MAKEFILES = ['GNUmakefile', 'makefile', 'Makefile'];
const INTERMEDIATES = picomatch(['**/*.o', '**/*.d'], { dot: true });

/** Whether the Makefile text defines `target` (a rule line `target:` or `target ::`). */
export function hasTarget(makefile: string, target: string): boolean {
  const escaped = target.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^(?:[^\\s:#=]+\\s+)*${escaped}(?:\\s+[^\\s:#=]+)*\\s*::?(?!=)`, 'm').test(makefile);
}

/**
 * Whether the task's host image has the GNU cross compilers for the target. Of the images
 * lambda-pack knows, only the local provided one does: official make builds run in the plain SAM
 * build image, which has none (and no other image is assumed to).
 */
function crossCompilerIn(task: Task): boolean {
  return crossToolchainOf(task.hostImage) === 'gnu';
}

/** Stops a cross build, with a clear message, in an image without the cross compiler. */
function requireCrossCompiler(task: Task): string {
  const cc = `${gnuTriple(task.arch)}-gcc`;
  const message = `lambda-pack: this image has no ${cc}, so it cannot cross-compile "${task.artifact.name}" for ${task.arch.name}. ` +
    'Rebuild the image from its recipe in images/, or build with --strategy emulated.';
  return requireOrExit(`command -v ${cc} >/dev/null`, message);
}

export const makeBuilder: Builder = {
  name: 'make',
  needsContainer: true,
  installOnly: [],
  version: 1,
  // The whole source is what gets compiled.
  async installInputs(_source, entries) { return entries; },

  async strategyFacts(task) {
    if (!task.artifact.cross) return { mustCompile: [], noCross: '"cross: true" is not set' };
    if (!crossCompilerIn(task)) return { mustCompile: [], noCross: `its ${task.host.name} image, ${describeImage(task.hostImage)}, has no ${gnuTriple(task.arch)} cross compiler` };
    const env = makeCrossEnv(task.arch);
    return { mustCompile: [], cross: `cross: true: the Makefile builds with CC=${env.CC} CXX=${env.CXX} AR=${env.AR} in the ${task.host.name} image` };
  },

  async prepare(task, _entries, strategy) {
    const { artifact } = task;
    let text: string | undefined;
    for (const name of MAKEFILES) {
      text = await readFile(path.join(artifact.source, name), 'utf8').catch(() => undefined);
      if (text !== undefined) break;
    }
    if (text === undefined) {
      throw new ConfigError('MAKEFILE_MISSING', `Function "${artifact.name}": ${artifact.source} has no Makefile. Add one with a build-${artifact.name} target that installs into $(ARTIFACTS_DIR).`, { file: path.join(artifact.source, 'Makefile') });
    }
    const target = `build-${artifact.name}`;
    const cross = strategy.kind === 'cross';
    return {
      commands: [
        ...(cross ? [requireCrossCompiler(task)] : []),
        // The reproducible CFLAGS would override a Makefile's own `CFLAGS ?= -O2`; make builds in
        // the fixed /build, so its paths are the same every time without them. Flags the config
        // sets in `env` are kept.
        ...(['CFLAGS', 'CXXFLAGS'] as const).map((name) => `if [ "\${${name}:-}" = ${quote(REPRODUCIBLE_ENV[name]!)} ]; then unset ${name}; fi`),
        `mkdir -p ${quote(CONTAINER.out)}`,
        command(['make', ...(hasTarget(text, target) ? [target] : [])]),
      ],
      containerPath: CONTAINER.out,
      packagePath: '',
      shipsSource: false,
      sourcePath: '',
      // From the environment, so the Makefile's own `CC ?= cc` yields; one that sets CC outright
      // builds for the host, and verification then refuses the zip (ARCH_MISMATCH).
      env: { ARTIFACTS_DIR: CONTAINER.out, ...(cross ? makeCrossEnv(task.arch) : {}) },
    };
  },

  keepOutput(relPath) {
    return !INTERMEDIATES(relPath);
  },
};
