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
  /** The machine the engine runs on: a task for another architecture is emulated or cross-built. */
  readonly host: Architecture;
  /** The engine that runs it (address and origin), when known. */
  readonly engine?: string;
  /** The host-architecture image, for a cross build (null when the task's arch is the host's). */
  readonly hostImage: ImageChoice | null;
  /** What the user asked for (`--strategy`); `auto` lets the builder decide from the source. */
  readonly requestedStrategy: RequestedStrategy;
}

export type StrategyKind = 'native' | 'cross' | 'emulated';
export type RequestedStrategy = StrategyKind | 'auto';

/** How a task's container relates to its target architecture, and why. */
export interface Strategy {
  readonly kind: StrategyKind;
  readonly reason: string;
  /** The architecture the build container runs as. */
  readonly buildArch: Architecture;
}

export interface Plan {
  readonly outDir: string;
  readonly tasks: readonly Task[];
}
