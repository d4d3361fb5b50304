// npm: `npm ci --omit=dev` in the target-architecture container; native addons compile there
// against the image's own Node headers. Ships production node_modules without build leftovers.
import picomatch from 'picomatch';
import { ConfigError } from '../errors.js';
import { CONTAINER, topLevelFiles, type Builder } from './types.js';
import { command } from './shell.js';
import { npmBuildSteps, npmLocalPaths, selectInputs } from './inputs.js';

const LOCKFILES = ['package-lock.json', 'npm-shrinkwrap.json'];

/** node-gyp leaves objects, dependency files and generated Makefiles beside the addon. */
const INTERMEDIATES = picomatch([
  '**/build/Release/obj.target/**', '**/build/Release/obj.target', '**/build/Release/.deps/**', '**/build/Release/.deps',
  '**/build/Release/obj/**', '**/build/Release/obj', '**/build/Debug/obj.target/**', '**/build/Debug/.deps/**',
  '**/build/Makefile', '**/build/*.mk', '**/build/*.Makefile', '**/build/config.gypi', '**/build/gyp-mac-tool', '**/build/node_gyp_bins/**', '**/build/node_gyp_bins',
  '**/*.o', '**/*.a', '**/*.target.mk',
  '.package-lock.json',
], { dot: true });

export const npmBuilder: Builder = {
  name: 'npm',
  needsContainer: true,
  installOnly: ['.npmrc'],
  version: 1,

  async installInputs(source, entries) {
    return selectInputs(entries, [...LOCKFILES, 'package.json', '.npmrc'], await npmLocalPaths(source));
  },

  async strategyFacts(task) {
    const { arch, host } = task;
    return {
      mustCompile: await npmBuildSteps(task.artifact.source),
      cross: `no package compiles during install: ${host.name} npm installs the ${arch.name} binaries (--cpu ${arch.nodeArch})`,
    };
  },

  async prepare(task, entries, strategy) {
    const { artifact } = task;
    if (!LOCKFILES.some((f) => topLevelFiles(entries).has(f))) {
      throw new ConfigError('LOCKFILE_MISSING',
        `Function "${artifact.name}": ${artifact.source} has package.json but no package-lock.json (or npm-shrinkwrap.json). ` +
        `lambda-pack installs exactly what the lockfile pins (npm ci). Create it with: cd ${artifact.source} && npm install --package-lock-only`,
        { file: `${artifact.source}/package-lock.json`, fix: 'npm install --package-lock-only' });
    }
    const layer = artifact.kind === 'layer';
    return {
      // A cross install resolves optional per-platform packages for the target, and never ships a
      // musl twin (a lockfile carries no libc, so npm needs telling).
      commands: [command(['npm', 'ci', '--omit=dev', '--no-audit', '--no-fund', '--foreground-scripts', '--loglevel=warn',
        ...(strategy.kind === 'cross' ? [`--cpu=${task.arch.nodeArch}`, '--os=linux', '--libc=glibc'] : [])])],
      containerPath: `${CONTAINER.build}/node_modules`,
      packagePath: layer ? 'nodejs/node_modules' : 'node_modules',
      // A layer ships its node_modules only: Lambda looks nowhere else under nodejs/.
      shipsSource: !layer,
      sourcePath: '',
    };
  },

  keepOutput(relPath) {
    return !INTERMEDIATES(relPath);
  },
};
