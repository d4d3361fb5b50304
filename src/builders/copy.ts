// copy: nothing to install; the source is packaged as it is (a layer's source is laid out by its
// author, e.g. python/ or nodejs/node_modules/), without a container.
import type { Builder } from './types.js';

export const copyBuilder: Builder = {
  name: 'copy',
  needsContainer: false,
  installOnly: [],
  version: 1,
  async installInputs() { return []; },
  async prepare() {
    return { commands: [], containerPath: '', packagePath: '', shipsSource: true, sourcePath: '' };
  },
  keepOutput() { return true; },
};
