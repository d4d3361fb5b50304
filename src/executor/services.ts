// What the executor needs from the outside world, one function per step, injected so the order
// of steps, their failures, interruption and layer waits can be tested without an engine.
import type { DependencyCache } from '../cache/store.js';
import type { ResolvedImage } from '../docker/images.js';
import type { ArtifactRecord } from '../package/manifest.js';
import type { ZipResult } from '../zip/write.js';
import type { TaskPlan } from '../plan/types.js';
import type { Finding } from '../verify/findings.js';
import type { ImageRecord } from './image.js';
import type { InstallOptions } from './install.js';

export interface TaskReporter {
  /** A short status line ("installing", "zipping"). */
  status(text: string): void;
  /** A line of container output (shown with --verbose). */
  log(line: string): void;
}

export interface ExecutorServices {
  /** Makes the install's image present on the engine (pulled, built or copied) and checks its architecture. */
  resolveImage(plan: TaskPlan): Promise<ResolvedImage>;
  /**
   * Runs the install in a container of that image and copies its output into `dest` (absent:
   * nothing to ship); options.offered: a host directory copied into the container first (a
   * hybrid's parts, built on the target).
   */
  install(plan: TaskPlan, image: ResolvedImage, dest: string, reporter: TaskReporter, options: InstallOptions): Promise<void>;
  readonly cache: Pick<DependencyCache, 'get' | 'put'>;
  /** Writes the zip of the shipped source and `dependencies` to `staged`. */
  package(plan: TaskPlan, dependencies: string | undefined, staged: string): Promise<ZipResult>;
  /** Verifies the staged zip against every runtime of the task, with its layers' zips. */
  verify(plan: TaskPlan, staged: string, layerZips: readonly string[]): Promise<Finding[]>;
  /** Runs Lambda's init phase for the staged zip (with its layers) in a container of its architecture: the runtime's own findings. */
  loadCheck(plan: TaskPlan, staged: string, layerZips: readonly string[]): Promise<Finding[]>;
  /**
   * Image functions: builds the image of the verified files (dependencies, layers at /opt, code),
   * checks it, and pushes it or loads it into the engine; the record, or the findings that stop it.
   */
  image(plan: TaskPlan, dependencies: string | undefined, layerZips: readonly string[], dependencyKey: string | null): Promise<{ record?: ImageRecord; findings: Finding[] }>;
  /** Moves the staged zip into place, or removes it and fails when a finding is an error. */
  commit(plan: TaskPlan, staged: string, findings: readonly Finding[]): Promise<void>;
  /** Identifies this run's containers and temporary files. */
  readonly runId: string;
  readonly signal: AbortSignal;
  readonly now: () => number;
  /** Records of the previous build in this output directory, by task id. */
  readonly previous: ReadonlyMap<string, ArtifactRecord>;
  /** Where a task's temporary files go (the system's temp directory). */
  readonly tempDir: string;
}
