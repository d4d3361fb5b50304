// One function's image from its packaged parts, in the default layering: each part one layer,
// bottom to top (dependencies, merged layers at /opt, code at /var/task last, so a code-only
// change replaces only the top layer); provided.* gets its /var/runtime/bootstrap link.
import type { ZipInput } from '../zip/write.js';
import { zipTimeFrom } from '../host.js';
import type { Architecture, Runtime } from '../runtimes.js';
import { assembleImage, type BaseImage } from './assemble.js';
import type { BlobStore } from './blob-store.js';
import type { AssembledImage } from './image.js';
import type { ImageTree } from './image-tree.js';
import { rememberedLayer, writeLayer, type Layer, type LayerOptions } from './layer.js';
import { bootstrapLinks, placeUnder, TASK_ROOT, treeOfInputs } from './layout.js';

export interface ImagePart {
  /** For the history line: "dependencies", "layer shared", "function code". */
  readonly name: string;
  /** Where the part's paths land: var/task or opt. */
  readonly root: string;
  /** Paths relative to the root, as the zip writer takes them. */
  readonly inputs: readonly ZipInput[];
  /** A key of everything that shapes `inputs` (the dependency cache key): an unchanged part's layer is reused, not rewritten. */
  readonly cacheKey?: string;
}

export interface FunctionImageInput extends Omit<LayerOptions, 'mtime'> {
  readonly base: BaseImage;
  readonly arch: Architecture;
  readonly runtime: Runtime;
  /** The image's CMD (Lambda's handler setting). */
  readonly handler: string;
  /** Bottom to top; an empty part makes no layer. The last var/task part gets provided.*'s bootstrap link. */
  readonly parts: readonly ImagePart[];
  readonly store: BlobStore;
  /** Layer mtimes and the config's created; default SOURCE_DATE_EPOCH, else 1980-01-01. */
  readonly time?: Date;
}

export interface FunctionImage {
  readonly image: AssembledImage;
  /** lambda-pack's own layers, bottom to top. */
  readonly layers: readonly Layer[];
  /** What those layers put under /var/task, /var/runtime and /opt, for checkImage. */
  readonly tree: ImageTree;
}

export async function buildFunctionImage(input: FunctionImageInput): Promise<FunctionImage> {
  const time = input.time ?? zipTimeFrom(undefined);
  const lastTaskPart = input.parts.map((p) => p.root).lastIndexOf(TASK_ROOT);
  const tree: ImageTree = new Map();
  const layers: { layer: Layer; createdBy: string }[] = [];
  for (const [index, part] of input.parts.entries()) {
    const inputs = [...placeUnder(part.root, part.inputs), ...(index === lastTaskPart ? bootstrapLinks(input.runtime) : [])];
    if (inputs.length === 0) continue;
    const options = { mtime: time, ...(input.level ? { level: input.level } : {}), ...(input.concurrency ? { concurrency: input.concurrency } : {}), ...(input.signal ? { signal: input.signal } : {}) };
    const write = () => writeLayer(inputs, input.store, options);
    // The key covers what the caller's does not: where the part lands, the links added, the time and level.
    const key = part.cacheKey === undefined ? undefined
      : JSON.stringify({ key: part.cacheKey, root: part.root, links: index === lastTaskPart ? input.runtime.family : '', time: time.getTime(), level: options.level ?? null });
    const layer = key === undefined ? await write() : await rememberedLayer(input.store, key, write);
    treeOfInputs(inputs, tree);
    layers.push({ layer, createdBy: `lambda-pack: ${part.name} at /${part.root}` });
  }
  const image = assembleImage({ base: input.base, layers, cmd: [input.handler], arch: input.arch, created: time });
  return { image, layers: layers.map((l) => l.layer), tree };
}
