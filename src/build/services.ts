// What a build needs from the outside world, injected so orchestration stays testable.
import type { Engine } from '../docker/engine.js';
import type { ArchName } from '../runtimes.js';
import type { ImageResolver } from '../docker/images.js';
import type { Owner } from '../docker/archive.js';
import type { DependencyCache } from '../cache/store.js';
import type { ArtifactRecord } from '../package/manifest.js';

export interface BuildServices {
  /**
   * The engine that builds for a target architecture (docker.hosts), connected on first use: a
   * run whose tasks need no container never touches an engine.
   */
  readonly engine: (arch: ArchName) => Promise<Engine>;
  /** Resolves, pulls or builds images on that engine. */
  readonly images: (arch: ArchName) => Promise<ImageResolver>;
  /** Identifies this run's containers (label) and temp files. */
  readonly runId: string;
  readonly signal: AbortSignal;
  /** Files created for the user (tar headers of copied-in files, container user). */
  readonly owner: Owner;
  /** Host CA bundle files made available to builds (config `certificates`). */
  readonly certificates: readonly string[];
  readonly memoryBytes?: number;
  /** The host environment, read only for names the config passes through. */
  readonly hostEnv: NodeJS.ProcessEnv;
  readonly zipConcurrency?: number;
  readonly now: () => number;
  /** The dependency cache (always written; read unless noCache). */
  readonly cache: DependencyCache;
  readonly noCache: boolean;
  /** Records of the previous build in this output directory, by task id. */
  readonly previous: ReadonlyMap<string, ArtifactRecord>;
}

export interface TaskReporter {
  /** A short status line ("installing", "zipping"). */
  status(text: string): void;
  /** A line of container output (shown with --verbose). */
  log(line: string): void;
}
