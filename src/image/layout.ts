// Where a package's files land in a Lambda image: function code at /var/task, layers at /opt, and
// for provided.* the bootstrap where the official base image's entrypoint runs it.
import type { ZipInput } from '../zip/write.js';
import type { Runtime } from '../runtimes.js';
import type { ImageTree } from './image-tree.js';
import type { LayerInput } from './layer.js';

export const TASK_ROOT = 'var/task';
export const OPT_ROOT = 'opt';

/** The zip's inputs (paths relative to the package root) placed under `root` in the image. */
export function placeUnder(root: string, inputs: readonly ZipInput[]): LayerInput[] {
  return inputs.map((input) => ({ ...input, path: `${root}/${input.path}` }));
}

/**
 * The official images' /lambda-entrypoint.sh execs /var/runtime/bootstrap; a provided.* package has
 * its bootstrap at the package root (/var/task/bootstrap), so the code layer links one to the other.
 */
export function bootstrapLinks(rt: Runtime): LayerInput[] {
  return rt.family === 'provided' ? [{ path: 'var/runtime/bootstrap', kind: 'symlink', linkTarget: '../task/bootstrap' }] : [];
}

/** The tree a layer's inputs make (applied over `into`), for the image checks without reading tars back. */
export function treeOfInputs(inputs: readonly LayerInput[], into: ImageTree = new Map()): ImageTree {
  for (const input of inputs) {
    const kind = input.kind;
    const mode = kind === 'directory' ? 0o755 : kind === 'symlink' ? 0o777 : input.executable ? 0o755 : 0o644;
    into.set(`/${input.path}`, { kind, mode, ...(input.linkTarget !== undefined ? { linkTarget: input.linkTarget } : {}) });
  }
  return into;
}
