// dist/manifest.json: one record per artifact, merged with records of artifacts not rebuilt in
// this run, written atomically with sorted keys so unchanged builds give an unchanged file.
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

import type { Finding } from '../verify/findings.js';
import type { ImageRecord } from '../executor/image.js';

export interface ArtifactRecord {
  readonly name: string;
  readonly kind: 'function' | 'layer';
  readonly runtime: string;
  /** Compatible runtimes (layers). */
  readonly runtimes: readonly string[];
  readonly arch: string;
  readonly builder: string;
  /** Relative to the output directory. */
  readonly path: string;
  readonly zippedBytes: number;
  readonly unzippedBytes: number;
  readonly entries: number;
  readonly sha256: string;
  readonly codeSha256: string;
  readonly image: string | null;
  /** true when the zip was reused or its dependencies came from the cache (no install ran). */
  readonly cacheHit: boolean;
  /** How the build container related to the target: native, cross or emulated. */
  readonly strategy: 'native' | 'cross' | 'emulated';
  /** What this build did: reuse, repackage or rebuild. */
  readonly action: 'reuse' | 'repackage' | 'rebuild';
  /** Hash of everything that can change the dependency install (null: no install). */
  readonly dependencyKey: string | null;
  /** Hash of everything that can change the zip. */
  readonly inputKey: string;
  readonly durationMs: number;
  /** Of it, the load check (absent when the zip was not run: a layer, reused, turned off). */
  readonly loadCheckMs?: number;
  /** A cross compile refused by its proof (or whose install failed), so built emulated: why. */
  readonly fallback?: string;
  /** A cross compile some of whose requirements could not cross: those, built alone emulated before the cross install took them, and why. */
  readonly hybrid?: { readonly emulated: readonly string[]; readonly why: string };
  /** Image functions: the image made of the zip's files (repository, tag, digest, pushed URI). */
  readonly containerImage?: ImageRecord;
  readonly findings: readonly Finding[];
  /** Where `lambda-pack package` put this zip (set only once the object is verified there). */
  readonly s3?: S3Location;
}

export interface S3Location {
  readonly bucket: string;
  /** <prefix>/<sha256>.zip */
  readonly key: string;
  /** s3://bucket/key */
  readonly uri: string;
  readonly region?: string;
}

export interface Manifest {
  readonly version: 1;
  readonly artifacts: readonly ArtifactRecord[];
}

export const MANIFEST_NAME = 'manifest.json';

export async function readManifest(outDir: string): Promise<Manifest | undefined> {
  try {
    const parsed = JSON.parse(await readFile(path.join(outDir, MANIFEST_NAME), 'utf8')) as Manifest;
    return parsed.version === 1 && Array.isArray(parsed.artifacts) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** Records of this run replace older ones with the same name and arch; others are kept. */
export function mergeRecords(previous: readonly ArtifactRecord[], current: readonly ArtifactRecord[]): ArtifactRecord[] {
  const key = (r: ArtifactRecord) => `${r.name}\0${r.arch}`;
  const merged = new Map(previous.map((r) => [key(r), r]));
  for (const record of current) merged.set(key(record), record);
  return [...merged.values()].sort((a, b) => key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);
}

export async function writeManifest(outDir: string, records: readonly ArtifactRecord[]): Promise<string> {
  const file = path.join(outDir, MANIFEST_NAME);
  const previous = (await readManifest(outDir))?.artifacts ?? [];
  const manifest: Manifest = { version: 1, artifacts: mergeRecords(previous, records) };
  const temp = `${file}.tmp-${process.pid}`;
  try {
    await writeFile(temp, JSON.stringify(manifest, null, 2) + '\n');
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  return file;
}
