// The keys that decide what a build may reuse. The dependency key covers everything that can
// change an install's result; the input key adds everything that can change the zip. Planned
// without the build image (its id is known only on the engine), bound to it later.
import { hashValue, sha256 } from '../cache/hash.js';
import { VERSION } from '../version.js';
import type { KeyMaterial } from './types.js';

export interface TaskKeys {
  /** null for builders without an install. */
  readonly dependency: string | null;
  readonly input: string;
}

/** The install's key material: all but the image; `env` holds passEnv values too (hashed, never shown). */
export function dependencyMaterial(parts: {
  readonly builder: string; readonly runtime: string; readonly arch: string; readonly strategy: string;
  readonly steps: unknown; readonly output: string; readonly env: Readonly<Record<string, string>>; readonly inputs: string;
}): string {
  return hashValue({ lambdaPack: VERSION, ...parts });
}

/** Everything the zip holds besides the dependencies: its layout and settings. */
export function layoutMaterial(parts: { readonly level: number; readonly mtime: string; readonly sourcePrefix: string | null; readonly skip: readonly string[]; readonly packagePath: string | null; readonly loadCheck: boolean; readonly image: unknown }): string {
  return hashValue(parts);
}

/** The images an install depends on, as one id: its own, and a hybrid's image of the target that built its parts first. */
export function imageIdentity(install: string, prebuild: string | undefined): string {
  return prebuild === undefined ? install : `${install}+${prebuild}`;
}

/**
 * The keys once the build image's id is known (undefined: no install), and for an image function
 * the identity of its base image (its digest, or the engine's id of the offline stand-in).
 */
export function bindKeys(material: KeyMaterial, imageId: string | undefined, baseImage?: string): TaskKeys {
  const dependency = material.dependency === null ? null : sha256(material.dependency, imageId ?? '');
  return withBaseImage(material, { dependency, input: '' }, baseImage);
}

/** The keys with the input key made for this base image (an image function's base, once read). */
export function withBaseImage(material: KeyMaterial, keys: TaskKeys, baseImage: string | undefined): TaskKeys {
  const { dependency } = keys;
  return { dependency, input: hashValue({ lambdaPack: VERSION, dependency, source: material.source, layout: material.layout, ...(baseImage ? { baseImage } : {}) }) };
}
