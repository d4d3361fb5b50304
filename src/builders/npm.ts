// npm: `npm ci --omit=dev` in the target-architecture container; native addons compile there
// against the image's own Node headers. Ships production node_modules without build leftovers.
import path from 'node:path';
import { ConfigError } from '../errors.js';
import { CONTAINER, topLevelFiles, type Analysis, type Builder } from './types.js';
import { selectInputs } from './inputs.js';
import { NPM_LOCKFILES, npmBuildSteps, npmLocalPaths, readNpmLocks, readPackageJson } from './npm-lock.js';

/**
 * Build leftovers wherever a package's own build put them (objects, static archives), and npm's
 * hidden lockfile. node-gyp's build trees are pruned by what gyp wrote (pruneBuildTrees).
 */
export const NPM_INTERMEDIATES = ['**/*.o', '**/*.a', '**/*.target.mk', '.package-lock.json'];

export interface NpmAnalysis extends Analysis {
  /** Packages whose install runs a build step (install scripts, node-gyp). */
  readonly mustCompile: readonly string[];
}

export const npmBuilder: Builder<NpmAnalysis> = {
  name: 'npm',
  version: 3,
  needsContainer: true,
  markers: ['package.json'],
  families: ['nodejs'],

  async analyze(artifact, entries) {
    const manifest = await readPackageJson(artifact.source) ?? {};
    const locks = await readNpmLocks(artifact.source);
    const localPaths = npmLocalPaths(manifest, locks);
    const mustCompile = await npmBuildSteps(artifact.source, locks, localPaths);
    if (!NPM_LOCKFILES.some((f) => topLevelFiles(entries).has(f))) {
      throw new ConfigError('LOCKFILE_MISSING',
        `Function "${artifact.name}": ${artifact.source} has package.json but no package-lock.json (or npm-shrinkwrap.json). ` +
        `lambda-pack installs exactly what the lockfile pins (npm ci). Create it with: cd ${artifact.source} && npm install --package-lock-only`,
        { file: path.join(artifact.source, 'package-lock.json'), fix: 'npm install --package-lock-only' });
    }
    const layer = artifact.kind === 'layer';
    return {
      installInputs: selectInputs(entries, [...NPM_LOCKFILES, 'package.json', '.npmrc'], localPaths),
      installOnly: ['.npmrc'],
      // A layer ships its node_modules only: Lambda looks nowhere else under nodejs/.
      shipsSource: !layer,
      sourcePath: '',
      mustCompile,
    };
  },

  strategyFacts(analysis, task) {
    return {
      mustCompile: analysis.mustCompile,
      cross: `no package compiles during install: ${task.engine.arch.name} npm installs the ${task.arch.name} binaries (--cpu ${task.arch.nodeArch})`,
    };
  },

  install(_analysis, task, strategy) {
    return {
      // A cross install resolves optional per-platform packages for the target, and never ships a
      // musl twin (a lockfile carries no libc, so npm needs telling).
      steps: [{ run: ['npm', 'ci', '--omit=dev', '--no-audit', '--no-fund', '--foreground-scripts', '--loglevel=warn',
        ...(strategy.kind === 'cross' ? [`--cpu=${task.arch.nodeArch}`, '--os=linux', '--libc=glibc'] : [])] }],
      output: `${CONTAINER.build}/node_modules`,
      packagePath: task.artifact.kind === 'layer' ? 'nodejs/node_modules' : 'node_modules',
      compilerFlags: true,
      drop: NPM_INTERMEDIATES,
      pruneBuildTrees: true,
    };
  },
};
