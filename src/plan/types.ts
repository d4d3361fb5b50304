// A task is one artifact (function or layer) × one architecture; the plan is a list of them.
import type { ArtifactConfig } from '../config/types.js';
import type { Architecture } from '../runtimes.js';

/** Where a task's build image comes from. The reference of a recipe image is known only once its base is. */
export type ImageChoice =
  | { readonly kind: 'reference'; readonly ref: string; readonly origin: 'config' | 'official' }
  | { readonly kind: 'recipe'; readonly recipe: string; readonly origin: 'local' | 'official' };

export interface Task {
  /** `<name>-<arch>`: unique in a plan, names the zip. */
  readonly id: string;
  readonly artifact: ArtifactConfig;
  readonly arch: Architecture;
  /** null when the builder installs nothing and no container is needed. */
  readonly image: ImageChoice | null;
  /** Absolute path of the zip this task writes. */
  readonly output: string;
}

export interface Plan {
  readonly outDir: string;
  readonly tasks: readonly Task[];
}
