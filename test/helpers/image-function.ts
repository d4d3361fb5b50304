// The image tests' function (fixtures/image-function) and base images: stand-ins for the official
// Lambda base images built offline (fixtures/image-base, FROM the local Debian base) and pushed into
// a test registry under the official repository names, so tests reach them through imageMirror.
import path from 'node:path';
import type { Engine } from '../../src/docker/engine.js';
import { resolveBaseImage } from '../../src/image/base.js';
import type { BlobStore } from '../../src/image/blob-store.js';
import { buildDockerfile, type BuiltImage } from '../../src/image/dockerfile.js';
import { imageFromEngine } from '../../src/image/engine-image.js';
import { buildFunctionImage, type FunctionImage } from '../../src/image/function-image.js';
import type { AssembledImage } from '../../src/image/image.js';
import { mirrorImage } from '../../src/image/mirror.js';
import { pushImage, type PushResult } from '../../src/image/push.js';
import { parseReference } from '../../src/image/reference.js';
import type { Registries } from '../../src/image/registry/client.js';
import { walkSource } from '../../src/package/sources.js';
import type { ZipInput } from '../../src/zip/write.js';
import { ARCHITECTURES, runtime, runtimeBaseImage, type ArchName } from '../../src/runtimes.js';
import { REPO } from './cli.js';

export const FUNCTION_DIR = path.join(REPO, 'fixtures/image-function');
export const BASE_CONTEXT = path.join(REPO, 'fixtures/image-base');
export const PROVIDED = runtime('provided.al2023');

export interface BaseStandIn {
  /** The engine's build of fixtures/image-base for the architecture. */
  readonly built: BuiltImage;
  readonly image: AssembledImage;
  readonly pushed: PushResult;
  /** The official name it stands in for, and where it is through the mirror. */
  readonly official: string;
  readonly mirrored: string;
}

/** Builds the stand-in for `arch` from the local Debian base through the engine API and pushes it under the official name. */
export async function pushBaseStandIn(engine: Engine, registries: Registries, registry: string, arch: ArchName, store: BlobStore, tag: string, context = BASE_CONTEXT): Promise<BaseStandIn> {
  const architecture = ARCHITECTURES[arch];
  const built = await buildDockerfile(engine, {
    context, buildArgs: { BASE: `lambda-pack-local/debian-base:bookworm-${arch}` }, arch: architecture, tag,
  });
  // Level 1: the base stand-in is test scaffolding, compressed once per test run.
  const image = await imageFromEngine(engine, built.ref, store, { arch: architecture, level: 1 });
  const official = runtimeBaseImage(PROVIDED, architecture);
  const mirrored = mirrorImage(official, { prefix: `${registry}/ecr-public` });
  const ref = parseReference(mirrored);
  const pushed = await pushImage(registries, image, { registry: ref.registry, repository: ref.repository, tag: ref.tag! }, { store });
  return { built, image, pushed, official, mirrored };
}

/** A source directory as the zip writer's inputs. */
export async function inputsOf(dir: string): Promise<ZipInput[]> {
  return (await walkSource(dir, { artifact: 'image-function', produced: true })).map((e): ZipInput => (
    e.kind === 'directory' ? { path: e.path, kind: 'directory' }
      : e.kind === 'symlink' ? { path: e.path, kind: 'symlink', linkTarget: e.linkTarget! }
        : { path: e.path, kind: 'file', source: e.absolute, executable: e.executable }));
}

/** The fixture function's image for `arch` over the mirrored base: /opt layer, then the code layer on top. */
export async function functionImage(registries: Registries, registry: string, arch: ArchName, store: BlobStore, dir = FUNCTION_DIR): Promise<FunctionImage> {
  const architecture = ARCHITECTURES[arch];
  const base = await resolveBaseImage(registries, mirrorImage(runtimeBaseImage(PROVIDED, architecture), { prefix: `${registry}/ecr-public` }), architecture);
  return buildFunctionImage({
    base, arch: architecture, runtime: PROVIDED, handler: 'function.handler', store,
    parts: [
      { name: 'layer tools', root: 'opt', inputs: await inputsOf(path.join(dir, 'opt')) },
      { name: 'function code', root: 'var/task', inputs: await inputsOf(path.join(dir, 'code')) },
    ],
  });
}
