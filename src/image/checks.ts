// The image-specific rules of verification: one single-platform manifest of the function's
// architecture, at most 10 GiB uncompressed, and the handler (or a provided bootstrap) where the
// base image's entrypoint looks for it. The ELF/ABI checks of the layers' files are the zip verifier's.
import { posix } from 'node:path';
import type { Architecture, Runtime } from '../runtimes.js';
import { handlerTarget } from '../verify/checks/handler.js';
import { finding, type Finding } from '../verify/findings.js';
import type { ImageConfig, Platform } from './image.js';
import { resolveInTree, type ImageTree } from './image-tree.js';
import { INDEX_TYPES } from './media-types.js';

/** Lambda's limit on a container image: all layers, uncompressed (10 GiB, as its 250 MB zip limit is MiB). */
export const IMAGE_LIMIT_BYTES = 10 * 1024 ** 3;

export interface ImageCheckInput {
  /** The media type of what would be deployed: an image manifest, never an index. */
  readonly manifestMediaType: string;
  readonly platform: Platform;
  readonly config: ImageConfig;
  readonly arch: Architecture;
  readonly runtime: Runtime;
  /** Every layer: compressed size, and tar size where known (a base layer not fetched counts by its compressed size, a lower bound). */
  readonly layers: readonly { readonly size: number; readonly uncompressedSize?: number }[];
  /** The merged filesystem under /var/task, /var/runtime and /opt (readImageTree, or the layers' own entries). */
  readonly tree: ImageTree;
}

const GIB = 1024 ** 3;

function checkPlatform({ manifestMediaType, platform, config, arch }: ImageCheckInput): Finding[] {
  if ((INDEX_TYPES as readonly string[]).includes(manifestMediaType)) {
    return [finding('IMAGE_NOT_SINGLE_PLATFORM', '', `the image is an index (${manifestMediaType}): Lambda accepts only a single image manifest ("The image manifest or layer media type for the source image … is not supported")`)];
  }
  const wanted = { os: 'linux', architecture: arch.dockerArch };
  const wrong = [platform, { os: config.os, architecture: config.architecture }].find((p) => p.os !== wanted.os || p.architecture !== wanted.architecture);
  if (!wrong) return [];
  return [finding('IMAGE_PLATFORM_MISMATCH', '', `the image is ${wrong.os}/${wrong.architecture}, but the function runs on ${arch.name} (${arch.dockerPlatform})`)];
}

function checkSize({ layers }: ImageCheckInput): Finding[] {
  const total = layers.reduce((sum, l) => sum + (l.uncompressedSize ?? l.size), 0);
  if (total <= IMAGE_LIMIT_BYTES) return [];
  const estimated = layers.some((l) => l.uncompressedSize === undefined) ? ' at least' : '';
  return [finding('IMAGE_TOO_LARGE', '', `the image's layers hold${estimated} ${(total / GIB).toFixed(2)} GiB uncompressed (${total} bytes); Lambda's limit is 10 GiB (${IMAGE_LIMIT_BYTES} bytes)`)];
}

function exists(tree: ImageTree, root: string, candidate: string): boolean {
  if (!candidate.includes('*')) return resolveInTree(tree, `${root}/${candidate}`)?.file.kind === 'file';
  const [prefix, suffix] = candidate.split('*') as [string, string];
  const dir = posix.dirname(`${root}/${prefix}`);
  return [...tree.keys()].some((key) => key.startsWith(`${root}/${prefix}`) && key.endsWith(suffix) && posix.dirname(key) === dir);
}

const IMAGE_HANDLER_FIX = 'Set the handler (the image\'s CMD) to <file without extension>.<function> of a file in the code layer under /var/task (LAMBDA_TASK_ROOT), or put the code there.';

function checkHandler({ config, runtime, tree }: ImageCheckInput): Finding[] {
  if (runtime.family === 'provided') return checkBootstrap(config, tree);
  const handler = config.config?.Cmd?.[0];
  if (!handler) return [finding('HANDLER_NOT_FOUND', '', 'the image has no CMD: the base image\'s entrypoint takes the handler from it', IMAGE_HANDLER_FIX)];
  const target = handlerTarget(runtime, handler);
  if (!target) return [];
  if ('malformed' in target) return [finding('HANDLER_NOT_FOUND', '', `handler ${JSON.stringify(handler)} ${target.malformed}`, IMAGE_HANDLER_FIX)];
  if (target.roots.some((root) => target.candidates.some((c) => exists(tree, root, c)))) return [];
  const tried = target.candidates.map((c) => JSON.stringify(`/var/task/${c}`)).join(', ');
  return [finding('HANDLER_NOT_FOUND', `/var/task/${target.candidates[0]}`, `handler ${JSON.stringify(handler)} names module ${JSON.stringify(target.module)}, but none of ${tried} is in the image`, IMAGE_HANDLER_FIX)];
}

/** The official provided images' entrypoint runs /var/runtime/bootstrap; an image with its own entrypoint runs that instead. */
function checkBootstrap(config: ImageConfig, tree: ImageTree): Finding[] {
  const entrypoint = config.config?.Entrypoint ?? [];
  if (entrypoint.length !== 1 || entrypoint[0] !== '/lambda-entrypoint.sh') return [];
  const found = resolveInTree(tree, '/var/runtime/bootstrap');
  const fix = 'Put the executable bootstrap in the code layer at /var/task/bootstrap with /var/runtime/bootstrap linking to it (lambda-pack does), or COPY it to ${LAMBDA_RUNTIME_DIR}.';
  if (found?.file.kind !== 'file') return [finding('BOOTSTRAP_MISSING', '/var/runtime/bootstrap', 'the image\'s entrypoint /lambda-entrypoint.sh runs /var/runtime/bootstrap, and the image has none', fix)];
  if ((found.file.mode & 0o001) === 0) return [finding('NOT_EXECUTABLE', found.path, `${found.path} (run as /var/runtime/bootstrap) has mode ${found.file.mode.toString(8)}: Lambda's user cannot execute it`, 'chmod 755 it before it goes into the image.')];
  return [];
}

export function checkImage(input: ImageCheckInput): Finding[] {
  return [...checkPlatform(input), ...checkSize(input), ...checkHandler(input)];
}
