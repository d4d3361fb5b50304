// `lambda-pack package`: uploads the built zips of a project (config or template) to S3 by content
// hash, records each verified object in manifest.json, and writes the packaged template.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../errors.js';
import { readManifest, writeManifest, type ArtifactRecord } from '../package/manifest.js';
import { writePackagedTemplate, type S3Object } from '../template/output.js';
import type { Project } from '../template/project.js';
import { s3Client, type S3Target } from './s3.js';
import { checkBucket, uploadZip, type UploadOutcome, type UploadProgress } from './upload.js';

export interface PackagedArtifact extends UploadOutcome {
  readonly name: string;
  readonly arch: string;
  readonly uri: string;
}

export interface PackageResult {
  readonly artifacts: readonly PackagedArtifact[];
  /** The packaged template, for template projects. */
  readonly template?: string;
}

export interface PackageOptions {
  readonly outDir: string;
  readonly target: S3Target;
  /** Where the packaged template goes (template projects). */
  readonly templateFile: string;
  readonly onProgress?: (label: string, progress: UploadProgress) => void;
  readonly onDone?: (artifact: PackagedArtifact) => void;
  readonly signal?: AbortSignal;
}

async function fileSha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The manifest records to upload: the project's artifacts, every one of them built. */
async function recordsToUpload(project: Project, outDir: string): Promise<ArtifactRecord[]> {
  const records = (await readManifest(outDir))?.artifacts ?? [];
  const find = (name: string, arch: string) => records.find((r) => r.name === name && r.arch === arch);
  const wanted = project.template
    ? project.template.artifacts.map((a) => ({ name: a.logicalId, arch: a.arch }))
    : project.config.artifacts.flatMap((a) => a.architectures.map((arch) => ({ name: a.name, arch: arch.name })));
  const missing = wanted.filter((w) => !find(w.name, w.arch));
  if (missing.length) {
    throw new ConfigError('NOT_BUILT', `${path.join(outDir, 'manifest.json')} has no built zip for ${missing.map((m) => `${m.name} (${m.arch})`).join(', ')}, so there is nothing to upload for ${missing.length === 1 ? 'it' : 'them'}. ` +
      'Run lambda-pack build first (or lambda-pack build --package), with the same --out.', { file: path.join(outDir, 'manifest.json') });
  }
  return wanted.map((w) => find(w.name, w.arch)!);
}

export async function packageArtifacts(project: Project, options: PackageOptions): Promise<PackageResult> {
  const { outDir, target } = options;
  const records = await recordsToUpload(project, outDir);
  const zips = await Promise.all(records.map(async (record) => {
    const file = path.resolve(outDir, record.path);
    const sha256 = await fileSha256(file).catch(() => undefined);
    if (sha256 !== record.sha256) {
      throw new ConfigError('ZIP_CHANGED', `${file} ${sha256 === undefined ? 'is missing' : 'is not the zip lambda-pack built (its sha256 differs from manifest.json)'}; lambda-pack uploads only zips it built and verified. Run lambda-pack build again.`, { file });
    }
    return { record, zip: { label: path.basename(file), file, sha256, bytes: record.zippedBytes } };
  }));
  const client = s3Client(target);
  const done: PackagedArtifact[] = [];
  try {
    await checkBucket(client, target);
    for (const { record, zip } of zips) {
      const outcome = await uploadZip(client, target, zip, { signal: options.signal, onProgress: (progress) => options.onProgress?.(zip.label, progress) });
      const artifact = { ...outcome, name: record.name, arch: record.arch, uri: `s3://${outcome.bucket}/${outcome.key}` };
      done.push(artifact);
      options.onDone?.(artifact);
    }
  } finally {
    // What is verified in S3 is recorded, also when a later upload failed; nothing else is.
    if (done.length) {
      const region = await client.config.region().catch(() => undefined);
      await writeManifest(outDir, done.map((a) => ({ ...records.find((r) => r.name === a.name && r.arch === a.arch)!, s3: { bucket: a.bucket, key: a.key, uri: a.uri, ...(region ? { region } : {}) } })));
    }
    client.destroy();
  }
  if (!project.template) return { artifacts: done };
  const objects = new Map<string, S3Object>(done.map((a) => [`${a.name}\0${a.arch}`, { bucket: a.bucket, key: a.key }]));
  await writePackagedTemplate(project.template, objects, options.templateFile);
  return { artifacts: done, template: options.templateFile };
}
