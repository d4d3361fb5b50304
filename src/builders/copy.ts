// copy: nothing to install; the source is packaged as it is, without a container.
import type { Builder } from './types.js';

export const copyBuilder: Builder = {
  name: 'copy',
  needsContainer: false,
  installOnly: [],
  check() {},
  installCommands() { return []; },
  output() { return { containerPath: '', packagePath: '' }; },
  keepOutput() { return true; },
};
