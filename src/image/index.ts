// Container-image packages: deterministic layers, assembly over the official base image, registry
// push, local outputs, Dockerfile builds and the image checks. The task pipeline wires these.
export { writeLayer, type Layer, type LayerInput, type LayerOptions } from './layer.js';
export { BlobStore, type StoredBlob } from './blob-store.js';
export { assembleImage, type AssembleInput, type BaseImage, type LayerOnTop } from './assemble.js';
export { resolveBaseImage } from './base.js';
export type { AssembledImage, Descriptor, ImageConfig, ImageLayer, ImageManifest, Platform } from './image.js';
export { placeUnder, bootstrapLinks, treeOfInputs, TASK_ROOT, OPT_ROOT } from './layout.js';
export { mirrorImage, mirrorPrefixProblem, type ImageMirror } from './mirror.js';
export { parseReference, formatReference, referenceProblem, isLoopback, type ImageReference } from './reference.js';
export { Registries, Registry, type RegistryOptions } from './registry/client.js';
export { findCredential, dockerConfigPath, type Credential } from './registry/credentials.js';
export { trustFrom, type Trust } from './registry/http.js';
export { pushImage, ensureImageBlobs, type PushOptions, type PushResult, type PushTarget } from './push.js';
export { writeOciLayout, loadIntoEngine, imageArchive } from './output.js';
export { buildDockerfile, dockerignore, type BuiltImage, type DockerfileBuild } from './dockerfile.js';
export { imageFromEngine, type EngineImageOptions } from './engine-image.js';
export { checkImage, IMAGE_LIMIT_BYTES, type ImageCheckInput } from './checks.js';
export { readImageTree, resolveInTree, type ImageFile, type ImageTree } from './image-tree.js';
export type { Digest } from './digest.js';
export { buildFunctionImage, type FunctionImage, type FunctionImageInput, type ImagePart } from './function-image.js';
