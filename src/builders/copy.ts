// copy: nothing to install; the source is packaged as it is (a layer's source is laid out by its
// author, e.g. python/ or nodejs/node_modules/), without a container.
import type { Builder } from './types.js';

export const copyBuilder: Builder = {
  name: 'copy',
  version: 1,
  needsContainer: false,
  markers: [],
  families: ['nodejs', 'python', 'provided'],
  async analyze() {
    return { installInputs: [], installOnly: [], shipsSource: true, sourcePath: '' };
  },
  install() {
    return { steps: [], output: '', packagePath: '', compilerFlags: false, drop: [] };
  },
};
