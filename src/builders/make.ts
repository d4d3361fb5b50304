// make (SAM-compatible): `make build-<Name>` when the Makefile has that target, else the default
// target, with ARTIFACTS_DIR pointing at the output; what lands there is the package.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import picomatch from 'picomatch';
import { ConfigError } from '../errors.js';
import { CONTAINER, type Builder } from './types.js';
import { command, quote } from './shell.js';

const MAKEFILES = ['GNUmakefile', 'makefile', 'Makefile'];
const INTERMEDIATES = picomatch(['**/*.o', '**/*.d'], { dot: true });

/** Whether the Makefile text defines `target` (a rule line `target:` or `target ::`). */
export function hasTarget(makefile: string, target: string): boolean {
  const escaped = target.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^(?:[^\\s:#=]+\\s+)*${escaped}(?:\\s+[^\\s:#=]+)*\\s*::?(?!=)`, 'm').test(makefile);
}

export const makeBuilder: Builder = {
  name: 'make',
  needsContainer: true,
  installOnly: [],
  version: 1,
  // The whole source is what gets compiled.
  async installInputs(_source, entries) { return entries; },

  async prepare(task) {
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
    return {
      commands: [
        `mkdir -p ${quote(CONTAINER.out)}`,
        command(['make', ...(hasTarget(text, target) ? [target] : [])]),
      ],
      containerPath: CONTAINER.out,
      packagePath: '',
      shipsSource: false,
      sourcePath: '',
      env: { ARTIFACTS_DIR: CONTAINER.out },
    };
  },

  keepOutput(relPath) {
    return !INTERMEDIATES(relPath);
  },
};
