// Whether a task's previous zip can be reused, its dependencies repackaged from the cache, or it
// must be rebuilt — and why. Pure: the facts (image id, cache, previous zip) are gathered first.
import type { ArtifactRecord } from '../package/manifest.js';
import { bindKeys, type TaskKeys } from './keys.js';
import type { TaskPlan } from './types.js';

export type Action = 'reuse' | 'repackage' | 'rebuild';

export interface DecisionFacts {
  readonly noCache: boolean;
  /** The build image on the engine; undefined when it is not there yet (or nothing is installed). */
  readonly image?: { readonly id: string; readonly ref: string };
  /** The previous build's record of this task and the sha256 of the zip now at its path. */
  readonly previous?: ArtifactRecord;
  readonly previousZipSha256?: string;
  /** The cached dependency tree for the task's dependency key, when the cache has it. */
  readonly cachedDependencies?: string;
  /** An image function's base image identity (undefined: it could not be read, so nothing is reused). */
  readonly baseImage?: string;
}

export interface Decision {
  readonly action: Action;
  readonly reason: string;
  /** Known when the image is on the engine (always for builders without an install). */
  readonly keys?: TaskKeys;
  readonly image?: { readonly id: string; readonly ref: string };
  readonly cachedDependencies?: string;
  /** --no-cache: nothing is read from the cache, not even after the image is resolved. */
  readonly noCache?: boolean;
  /** The plan decided is a cross compile's emulated fallback: why the cross build was refused. */
  readonly fallback?: string;
}

export function decide(plan: TaskPlan, facts: DecisionFacts): Decision {
  if (facts.noCache) return { action: 'rebuild', reason: '--no-cache', noCache: true };
  if (plan.install && facts.image === undefined) return { action: 'rebuild', reason: 'its build image is not on the engine yet (it will be pulled or built)' };
  const keys = bindKeys(plan.keys, facts.image?.id, facts.baseImage);
  const { previous } = facts;
  const known = { keys, ...(facts.image ? { image: facts.image } : {}) };
  // An image function whose base cannot be read now is not known to be unchanged.
  const baseKnown = plan.output.kind !== 'image' || facts.baseImage !== undefined;
  if (baseKnown && previous?.inputKey === keys.input && previous.sha256 === facts.previousZipSha256) {
    return { action: 'reuse', reason: 'nothing changed since the last build', ...known };
  }
  const what = !previous ? 'not built yet' : previous.dependencyKey === keys.dependency ? 'source changed' : 'dependency inputs changed (manifest, lockfile, image or build env)';
  if (!plan.install) return { action: 'repackage', reason: what, ...known };
  if (facts.cachedDependencies) return { action: 'repackage', reason: `${what}; dependencies from the cache`, ...known, cachedDependencies: facts.cachedDependencies };
  return { action: 'rebuild', reason: what === 'source changed' ? 'dependencies are not in the cache' : what, ...known };
}
