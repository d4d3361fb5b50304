// The templates lambda-pack writes: the built template (<outDir>/template.yaml, code pointing at the
// zips, as `sam build` writes .aws-sam/build/template.yaml) and the packaged template (code in S3,
// as `sam package` writes it). Relative paths of everything else are rebased to the new location.
import { rename, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { applyEdits, localPaths, rebaseEdits, replacementEdits, type NewValue, type Replacement } from './rewrite.js';
import type { LoadedTemplate } from './project.js';
import type { TemplateArtifact } from './functions.js';

export const BUILT_TEMPLATE = 'template.yaml';
export const PACKAGED_TEMPLATE = 'packaged-template.yaml';

/** A built zip: the artifact's name (the logical id), its architecture, and its path. */
export interface BuiltArtifact {
  readonly name: string;
  readonly arch: string;
  /** Absolute, or relative to the output directory (as manifest.json records it). */
  readonly path: string;
}

export interface S3Object { readonly bucket: string; readonly key: string }

async function writeAtomically(file: string, text: string): Promise<void> {
  const temp = `${file}.tmp-${process.pid}`;
  try {
    await writeFile(temp, text);
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** The template text with each artifact's code property set to `valueFor(artifact)`. */
export function rewrittenTemplate(template: LoadedTemplate, valueFor: (artifact: TemplateArtifact) => NewValue, toDir: string): string {
  const { parsed, artifacts } = template;
  const replacements: Replacement[] = artifacts.map((a) => ({ logicalId: a.logicalId, property: a.codeProperty, value: valueFor(a) }));
  const replaced = new Set(artifacts.map((a) => `${a.logicalId}.${a.codeProperty}`));
  return applyEdits(parsed.text, [...replacementEdits(parsed, replacements), ...rebaseEdits(parsed, localPaths(parsed, replaced), toDir)]);
}

export interface WrittenTemplate {
  /** The file written; undefined when some artifact has no zip (nothing is written then). */
  readonly file?: string;
  /** "<logicalId> (<arch>)" of the template artifacts without a zip. */
  readonly missing: readonly string[];
}

/**
 * Writes <outDir>/template.yaml with every built function's and layer's code property pointing at
 * its zip (relative to outDir). Written only when every artifact of the template has a zip, so it
 * never names a zip that is not there.
 */
export async function writeBuiltTemplate(template: LoadedTemplate, built: Iterable<BuiltArtifact>, outDir: string): Promise<WrittenTemplate> {
  const zips = new Map<string, string>();
  for (const artifact of built) zips.set(`${artifact.name}\0${artifact.arch}`, path.resolve(outDir, artifact.path));
  const zipOf = (a: TemplateArtifact) => zips.get(`${a.logicalId}\0${a.arch}`);
  const missing = template.artifacts.filter((a) => { const zip = zipOf(a); return !zip || !existsSync(zip); }).map((a) => `${a.logicalId} (${a.arch})`);
  if (missing.length) return { missing };
  const file = path.join(outDir, BUILT_TEMPLATE);
  await writeAtomically(file, rewrittenTemplate(template, (a) => path.relative(outDir, zipOf(a)!).split(path.sep).join('/'), outDir));
  return { file, missing };
}

/** The code property's value for an S3 object: an s3:// URI for SAM resources, {S3Bucket, S3Key} for Lambda's own. */
export function s3Value(artifact: TemplateArtifact, object: S3Object): NewValue {
  return artifact.codeProperty === 'Code' || artifact.codeProperty === 'Content'
    ? { S3Bucket: object.bucket, S3Key: object.key }
    : `s3://${object.bucket}/${object.key}`;
}

/** Writes the packaged template to `file`: code in S3. Every artifact must have its object. */
export async function writePackagedTemplate(template: LoadedTemplate, objects: ReadonlyMap<string, S3Object>, file: string): Promise<void> {
  const objectOf = (a: TemplateArtifact) => objects.get(`${a.logicalId}\0${a.arch}`)!;
  await writeAtomically(file, rewrittenTemplate(template, (a) => s3Value(a, objectOf(a)), path.dirname(file)));
}
