// make (SAM-compatible): `make build-<Name>` when the Makefile has that target, else the default
// target, with ARTIFACTS_DIR pointing at the output; what lands there is the package. For the
// other architecture a container of the engine's architecture builds it with the image's cross
// tools (CC/CXX on make's command line), and the proof decides; `cross: false` emulates.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError } from '../errors.js';
import { describeImage } from '../recipes.js';
import { crossCompilersIn, gnuTriple, makeCrossEnv } from './cross.js';
import { walkSource } from '../package/sources.js';
import { CONTAINER, type Analysis, type Builder } from './types.js';

const MAKEFILES = ['GNUmakefile', 'makefile', 'Makefile'];
const INTERMEDIATES = ['**/*.o', '**/*.d'];
/** Cross tools passed as make command-line variables (the rest only in the environment). */
const MAKE_COMMAND_LINE = ['CC', 'CXX'] as const;

export interface MakeAnalysis extends Analysis {
  /** The target make runs; undefined: the Makefile's default target. */
  readonly target?: string;
  /** The Makefile's path in the container, when make runs elsewhere than the source (`make -f`). */
  readonly makefile?: string;
  /** Where make runs in the container. */
  readonly workdir: string;
}

/** The deepest directory holding both paths (absolute). */
function commonDirectory(a: string, b: string): string {
  const left = a.split(path.sep);
  const right = b.split(path.sep);
  let i = 0;
  while (i < left.length && i < right.length && left[i] === right[i]) i++;
  return left.slice(0, i).join(path.sep) || path.sep;
}

function containerPath(base: string, dir: string): string {
  const rel = path.relative(base, dir).split(path.sep).join('/');
  return rel ? `${CONTAINER.build}/${rel}` : CONTAINER.build;
}

/** Whether the Makefile text defines `target` (a rule line `target:` or `target ::`). */
export function hasTarget(makefile: string, target: string): boolean {
  const escaped = target.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^(?:[^\\s:#=]+\\s+)*${escaped}(?:\\s+[^\\s:#=]+)*\\s*::?(?!=)`, 'm').test(makefile);
}

export const makeBuilder: Builder<MakeAnalysis> = {
  name: 'make',
  version: 5,
  needsContainer: true,
  markers: MAKEFILES,
  families: ['nodejs', 'python', 'provided'],

  async analyze(artifact, entries) {
    let text: string | undefined;
    let makefile = MAKEFILES[0]!;
    for (const name of MAKEFILES) {
      text = await readFile(path.join(artifact.source, name), 'utf8').catch(() => undefined);
      makefile = name;
      if (text !== undefined) break;
    }
    if (text === undefined) {
      throw new ConfigError('MAKEFILE_MISSING', `Function "${artifact.name}": ${artifact.source} has no Makefile. Add one with a build-${artifact.name} target that installs into $(ARTIFACTS_DIR).`, { file: path.join(artifact.source, 'Makefile') });
    }
    const file = path.join(artifact.source, makefile);
    if (artifact.makeTarget && !hasTarget(text, artifact.makeTarget)) {
      throw new ConfigError('MAKE_TARGET_MISSING', `${file} has no target "${artifact.makeTarget}", which "${artifact.name}" builds with. Add the target (it installs into $(ARTIFACTS_DIR)), or name one the Makefile has.`, { file, field: 'makeTarget' });
    }
    const conventional = `build-${artifact.name}`;
    const target = artifact.makeTarget ?? (hasTarget(text, conventional) ? conventional : undefined);
    // Elsewhere than the source (SAM's WorkingDirectory): the tree holding both goes in, and
    // make reads the source's Makefile from there.
    const working = artifact.workingDirectory;
    const base = working && working !== artifact.source ? commonDirectory(artifact.source, working) : artifact.source;
    const inputs = base === artifact.source ? entries : await walkSource(base, { artifact: artifact.name });
    return {
      // The whole source (and the working directory) is what gets compiled.
      installInputs: inputs,
      installOnly: [],
      shipsSource: false,
      sourcePath: '',
      ...(target ? { target } : {}),
      ...(working && working !== artifact.source ? { makefile: `${containerPath(base, artifact.source)}/${makefile}` } : {}),
      workdir: containerPath(base, working ?? artifact.source),
    };
  },

  strategyFacts(_analysis, task) {
    if (task.artifact.cross === false) return { mustCompile: [], noCross: '"cross: false" is set' };
    if (!crossCompilersIn(task)) return { mustCompile: [], noCross: `its ${task.engine.arch.name} image, ${describeImage(task.engineImage)}, has no ${gnuTriple(task.arch)} cross compiler` };
    const env = makeCrossEnv(task.arch);
    // What a Makefile builds is unknown until it has run: the proof decides whether the cross
    // tools were honoured (verify sees an engine-architecture binary; the load check a crash).
    return {
      mustCompile: ['the Makefile'],
      cross: `the Makefile builds with CC=${env.CC} CXX=${env.CXX} in the ${task.engine.arch.name} image`,
      compileCross: `make CC=${env.CC} CXX=${env.CXX}, AR, LD, RANLIB and STRIP from the environment`,
    };
  },

  install(analysis, task, strategy) {
    const cross = strategy.kind === 'cross';
    const cc = `${gnuTriple(task.arch)}-gcc`;
    // From the environment, so the Makefile's own `CC ?= cc` yields; one that sets CC outright
    // builds for the engine's machine, and verification then refuses the zip (ARCH_MISMATCH).
    // Variables the config sets keep their value.
    const crossEnv = cross ? Object.fromEntries(Object.entries(makeCrossEnv(task.arch)).map(([k, v]) => [k, task.artifact.env[k] ?? v])) : {};
    // The compilers also go on make's command line, which overrides a Makefile's own `CC = gcc`
    // (Lua's, and many more). The other tools stay in the environment: Makefiles often set them
    // with flags (`AR = ar rcu`), and the build machine's binutils handle the target's objects.
    const overrides = cross ? MAKE_COMMAND_LINE.map((name) => `${name}=${crossEnv[name]}`) : [];
    return {
      steps: [
        ...(cross ? [{
          require: `command -v ${cc} >/dev/null`,
          message: `lambda-pack: this image has no ${cc}, so it cannot cross-compile "${task.artifact.name}" for ${task.arch.name}. Rebuild the image from its recipe in images/, or build with --strategy emulated.`,
        }] : []),
        { run: ['mkdir', '-p', CONTAINER.out] },
        { run: ['make', ...(analysis.makefile ? ['-f', analysis.makefile] : []), ...overrides, ...(analysis.target ? [analysis.target] : [])] },
      ],
      output: CONTAINER.out,
      workdir: analysis.workdir,
      packagePath: '',
      env: { ARTIFACTS_DIR: CONTAINER.out, ...crossEnv },
      // The reproducible CFLAGS would override a Makefile's own `CFLAGS ?= -O2`; make builds in
      // the fixed /build, so its paths are the same every time without them.
      compilerFlags: false,
      drop: INTERMEDIATES,
    };
  },
};
