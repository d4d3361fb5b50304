// The image step of an image function: its base (the runtime's Lambda base image from a registry,
// or the offline stand-in on the engine), lambda-pack's deterministic layers on top (dependencies,
// the function's layers at /opt, its code last), checked, then pushed as one single-platform
// manifest or loaded into the task's engine.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ExternalError } from '../errors.js';
import type { Engine } from '../docker/engine.js';
import type { ImageResolver } from '../docker/images.js';
import { checkImage } from '../image/checks.js';
import { resolveBaseImage } from '../image/base.js';
import type { BaseImage } from '../image/assemble.js';
import type { BlobStore } from '../image/blob-store.js';
import { imageFromEngine } from '../image/engine-image.js';
import { buildFunctionImage, type ImagePart } from '../image/function-image.js';
import { parseJson, type AssembledImage, type ImageLayer } from '../image/image.js';
import type { Digest } from '../image/digest.js';
import { OCI_CONFIG, OCI_MANIFEST } from '../image/media-types.js';
import { OPT_ROOT, TASK_ROOT } from '../image/layout.js';
import { loadIntoEngine } from '../image/output.js';
import { ensureImageBlobs, pushImage } from '../image/push.js';
import { parseReference } from '../image/reference.js';
import type { Registries } from '../image/registry/client.js';
import { zipInputs } from '../package/contents.js';
import { walkSource } from '../package/sources.js';
import type { TaskPlan } from '../plan/types.js';
import { architecture, runtime } from '../runtimes.js';
import { ZipArchive } from '../zip/read/archive.js';
import { entryKind, unixMode } from '../zip/read/modes.js';
import type { ZipInput } from '../zip/types.js';
import type { Finding } from '../verify/findings.js';

export interface ImageContext {
  readonly engine: Engine;
  readonly images: ImageResolver;
  readonly registries: Registries;
  readonly store: BlobStore;
  readonly signal: AbortSignal;
}

/** What the manifest records of an image function's image. */
export interface ImageRecord {
  readonly repository: string;
  readonly tag: string;
  /** The manifest digest: the same inputs give the same one on any machine. */
  readonly digest: string;
  /** `<repository>@<digest>` once pushed: what ImageUri and update-function-code take. */
  readonly uri?: string;
  /** Pushed to the registry, or loaded into the engine. */
  readonly pushed: boolean;
  /** All layers, compressed. */
  readonly bytes: number;
  readonly baseDigest: string;
  /** What keys the base (its digest, or the engine's id of the offline stand-in), as the plan read it. */
  readonly baseIdentity: string;
  readonly uploadedBytes?: number;
}

const MAX_LAYER_ENTRY = 1024 ** 3;

/** A layer zip's entries as image inputs (relative to /opt), modes kept. */
function layerInputs(zip: string): ZipInput[] {
  const archive = ZipArchive.open(zip);
  try {
    return archive.entries.flatMap((entry): ZipInput[] => {
      const name = entry.name.replace(/\/$/, '');
      const kind = entryKind(entry);
      if (kind === 'directory') return [{ path: name, kind: 'directory' }];
      const content = archive.readAll(entry, MAX_LAYER_ENTRY);
      if (kind === 'symlink') return [{ path: name, kind: 'symlink', linkTarget: content.toString('utf8') }];
      return [{ path: name, kind: 'file', content, executable: ((unixMode(entry) ?? 0o644) & 0o111) !== 0 }];
    });
  } finally {
    archive.close();
  }
}

async function baseImage(plan: TaskPlan, context: ImageContext): Promise<BaseImage & { identity: string }> {
  const target = plan.output.image!;
  const arch = architecture(plan.arch);
  if (target.base.kind === 'reference') {
    const base = await resolveBaseImage(context.registries, target.base.ref, arch);
    return { ...base, identity: base.digest };
  }
  // The offline stand-in: read from the engine, its layers compressed deterministically — once per
  // engine image (the store remembers which manifest it became).
  const resolved = await context.images.resolve(target.base, arch);
  const assembled = await engineBase(context, resolved.ref, resolved.id, arch);
  return {
    identity: resolved.id, reference: resolved.ref, registry: '', repository: resolved.ref.replace(/:[^/:]+$/, ''), digest: assembled.manifestDigest,
    manifest: parseJson(assembled.manifest, `the manifest of ${resolved.ref}`), config: parseJson(assembled.config, `the config of ${resolved.ref}`),
  };
}

async function engineBase(context: ImageContext, ref: string, id: string, arch: ReturnType<typeof architecture>): Promise<AssembledImage> {
  const memo = path.join(context.store.root, 'engine-bases', `${id.replace(/[^A-Za-z0-9]/g, '_')}.json`);
  const known = await readFile(memo, 'utf8').then((text) => JSON.parse(text) as { manifest: Digest; config: Digest; layers: ImageLayer[]; platform: AssembledImage['platform'] }, () => undefined);
  if (known && await context.store.has(known.manifest) && await context.store.has(known.config) && (await Promise.all(known.layers.map((l) => context.store.has(l.descriptor.digest)))).every(Boolean)) {
    const manifest = await context.store.read(known.manifest);
    const config = await context.store.read(known.config);
    return { manifest, manifestDigest: known.manifest, manifestMediaType: OCI_MANIFEST, config, configDescriptor: { mediaType: OCI_CONFIG, digest: known.config, size: config.length }, layers: known.layers, platform: known.platform };
  }
  const assembled = await imageFromEngine(context.engine, ref, context.store, { arch });
  await context.store.put(assembled.manifest);
  await context.store.put(assembled.config);
  await mkdir(path.dirname(memo), { recursive: true });
  const temp = `${memo}.${process.pid}.tmp`;
  await writeFile(temp, JSON.stringify({ manifest: assembled.manifestDigest, config: assembled.configDescriptor.digest, layers: assembled.layers, platform: assembled.platform }));
  await rename(temp, memo);
  return assembled;
}

/** Builds the image of a verified function; findings of the image rules (an error stops it). */
export async function buildImageOutput(plan: TaskPlan, dependencies: string | undefined, layerZips: readonly string[], dependencyKey: string | null, context: ImageContext): Promise<{ record?: ImageRecord; findings: Finding[] }> {
  const target = plan.output.image!;
  const arch = architecture(plan.arch);
  const base = await baseImage(plan, context);
  const parts: ImagePart[] = [];
  if (plan.package.dependencies && dependencies) {
    const entries = await walkSource(dependencies, { artifact: plan.name, produced: true });
    parts.push({ name: 'dependencies', root: TASK_ROOT, inputs: zipInputs([{ prefix: plan.package.dependencies.prefix, entries }]), ...(dependencyKey ? { cacheKey: dependencyKey } : {}) });
  }
  for (const zip of layerZips) parts.push({ name: `layer ${path.basename(zip, '.zip')}`, root: OPT_ROOT, inputs: layerInputs(zip) });
  if (plan.package.source) parts.push({ name: 'function code', root: TASK_ROOT, inputs: zipInputs([plan.package.source]) });
  const built = await buildFunctionImage({ base, arch, runtime: runtime(plan.runtime), handler: target.cmd[0]!, parts, store: context.store, time: new Date(plan.output.mtime), signal: context.signal });
  const findings = checkImage({
    manifestMediaType: built.image.manifestMediaType, platform: built.image.platform, config: parseJson(built.image.config, 'the image config'),
    arch, runtime: runtime(plan.runtime), layers: built.image.layers.map((l) => ({ size: l.descriptor.size, ...(l.uncompressedSize ? { uncompressedSize: l.uncompressedSize } : {}) })), tree: built.tree,
  });
  if (findings.some((f) => f.severity === 'error')) return { findings };
  const digest = built.image.manifestDigest;
  const tag = `${target.tag ?? digest.replace(/^sha256:/, '').slice(0, 12)}-${plan.arch}`;
  const bytes = built.image.layers.reduce((n, l) => n + l.descriptor.size, 0);
  const common = { repository: target.repository, tag, digest, bytes, baseDigest: base.digest, baseIdentity: base.identity };
  if (target.push) {
    const { registry, repository } = parseReference(`${target.repository}:${tag}`);
    const pushed = await pushImage(context.registries, built.image, { registry, repository, tag }, { store: context.store });
    return { record: { ...common, uri: pushed.uri, pushed: true, uploadedBytes: pushed.uploadedBytes }, findings };
  }
  try {
    await ensureImageBlobs(context.registries, built.image, context.store);
    await loadIntoEngine(context.engine, built.image, context.store, `${target.repository}:${tag}`);
  } catch (error) {
    throw error instanceof ExternalError ? error : new ExternalError('IMAGE_LOAD_FAILED', `${plan.id}: loading the image into the engine failed: ${(error as Error).message}`, {}, { cause: error });
  }
  return { record: { ...common, pushed: false }, findings };
}
